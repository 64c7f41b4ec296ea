// A hand-made scenario and two runs resembling apache/rocketmq#3556, shared by the report tests.
//
// 4.9.0: pg#0/3 goes to the killed broker-a, the connect exception escapes to sendDefaultImpl,
// which allows one attempt in async mode: failed, stored nowhere.
// 4.9.3: the same first attempt is caught in sendMessageAsync and retried on broker-b: ok.
#ifndef RMQSIM_TESTS_REPORTS_REPORT_FIXTURE_H_
#define RMQSIM_TESTS_REPORTS_REPORT_FIXTURE_H_

#include <string>
#include <vector>

#include "sim/outcome.h"
#include "sim/scenario.h"

namespace rmqsim::reports::testing {

using core::SimTime;

inline SimTime Ms(double ms) { return SimTime::FromNanos(static_cast<int64_t>(ms * 1e6 + 0.5)); }

inline sim::Scenario Scenario3556() {
  sim::Scenario s;
  s.path = "scenarios/e01.yaml";
  s.id = "broker-down-mid-async-send";
  s.title = "Async sends are not retried when the broker cannot be connected";
  s.description = "Broker a is killed.\nThe client keeps routing to it.";
  s.references = {"https://github.com/apache/rocketmq/issues/3556"};
  s.seed = 7;
  s.duration = core::SimDuration::Millis(60000);
  s.compare = {"4.9.0", "4.9.3"};
  s.cluster.nameservers = {"ns-1"};
  for (const char* name : {"broker-a", "broker-b"}) {
    sim::BrokerSpec b;
    b.name = name;
    s.cluster.brokers.push_back(b);
  }
  sim::ProducerSpec p;
  p.group = "pg";
  s.producers = {p};
  sim::FaultSpec f;
  f.at = core::SimDuration::Millis(9000);
  f.action = sim::FaultAction::kKill;
  f.target.name = "broker-a";
  f.target.text = "broker broker-a";
  s.faults = {f};
  return s;
}

inline sim::AttemptRecord Attempt(int n, std::string broker, int queue, double start, double end,
                                  std::string result, std::string path, std::string decision,
                                  std::string detail = "") {
  sim::AttemptRecord a;
  a.n = n;
  a.broker = std::move(broker);
  a.queue = queue;
  a.start = Ms(start);
  if (end >= 0) a.end = Ms(end);
  a.result = std::move(result);
  a.path = std::move(path);
  a.thread = "AsyncSenderExecutor_1";
  a.detail = std::move(detail);
  a.decision = std::move(decision);
  return a;
}

inline sim::MessageRecord OkMessage(int seq, std::string broker, int queue, double sent) {
  sim::MessageRecord m;
  m.id = "pg#0/" + std::to_string(seq);
  m.producer = "pg#0";
  m.topic = "TopicTest";
  m.mode = sim::SendMode::kAsync;
  m.sent = Ms(sent);
  m.resolved = Ms(sent + 2);
  m.outcome = sim::Outcome::kOk;
  m.stored = {sim::StoredCopy{broker, queue, Ms(sent + 1)}};
  m.attempts = {Attempt(1, broker, queue, sent, sent + 2, "SEND_OK", "sendDefaultImpl", "done")};
  m.callbacks = 1;
  return m;
}

inline std::vector<core::Event> Events3556() {
  return {
      core::Event{Ms(1), "nameserver:ns-1", "broker_registered", "", "broker-a registered"},
      core::Event{Ms(9000), "fault", "fault_begin", "", "kill broker broker-a"},
      core::Event{Ms(10000), "producer:pg#0", "select_queue", "pg#0/3",
                  "broker-a queue 2 (lastBroker=null, index=41)",
                  {{"broker", "broker-a"}, {"index", "41"}}},
      core::Event{Ms(30000), "fault", "fault_end", "", "start broker broker-a"},
  };
}

inline sim::RunResult Run490() {
  sim::RunResult r;
  r.profile = "4.9.0";
  r.messages.push_back(OkMessage(1, "broker-a", 0, 1000));
  r.messages.push_back(OkMessage(2, "broker-b", 1, 2000));
  sim::MessageRecord m;
  m.id = "pg#0/3";
  m.producer = "pg#0";
  m.topic = "TopicTest";
  m.mode = sim::SendMode::kAsync;
  m.sent = Ms(10000);
  m.resolved = Ms(10001.25);
  m.outcome = sim::Outcome::kFailed;
  m.error = sim::ErrorInfo{
      "MQClientException",
      "Send [1] times, still failed, cost [1]ms, Topic: TopicTest, BrokersSent: [broker-a]",
      "RemotingConnectException: connect to <10.0.0.1:10911> failed", 0};
  m.attempts = {Attempt(1, "broker-a", 2, 10000, 10001.25, "RemotingConnectException",
                        "sendDefaultImpl",
                        "connect exception escaped to sendDefaultImpl, 1 attempt allowed",
                        "connect to <10.0.0.1:10911> failed")};
  m.callbacks = 1;
  r.messages.push_back(m);
  r.summary = sim::Summarize(r.messages);
  r.events = Events3556();
  r.end = Ms(60000);
  r.events_executed = 1234;
  return r;
}

inline sim::RunResult Run493() {
  sim::RunResult r;
  r.profile = "4.9.3";
  r.messages.push_back(OkMessage(1, "broker-a", 0, 1000));
  r.messages.push_back(OkMessage(2, "broker-b", 1, 2000));
  sim::MessageRecord m;
  m.id = "pg#0/3";
  m.producer = "pg#0";
  m.topic = "TopicTest";
  m.mode = sim::SendMode::kAsync;
  m.sent = Ms(10000);
  m.resolved = Ms(10004);
  m.outcome = sim::Outcome::kOk;
  m.stored = {sim::StoredCopy{"broker-b", 1, Ms(10003)}};
  m.attempts = {Attempt(1, "broker-a", 2, 10000, 10001.25, "RemotingConnectException",
                        "sendDefaultImpl", "caught in sendMessageAsync",
                        "connect to <10.0.0.1:10911> failed"),
                Attempt(2, "broker-b", 1, 10001.25, 10004, "SEND_OK", "onExceptionImpl", "done")};
  m.callbacks = 1;
  r.messages.push_back(m);
  r.summary = sim::Summarize(r.messages);
  r.events = Events3556();
  r.end = Ms(60000);
  r.events_executed = 1301;
  return r;
}

// Names that try to break every output format.
inline std::string HostileName() {
  return std::string("q\"uo\\te</script><b>&amp;\x01\x1f\n\t") + "\xff\xc3(" + "end";
}

}  // namespace rmqsim::reports::testing

#endif  // RMQSIM_TESTS_REPORTS_REPORT_FIXTURE_H_
