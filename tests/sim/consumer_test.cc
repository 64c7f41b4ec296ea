// Push consumers (rocketmq-consumer-behaviour.md): the §7.1 timetable of an always-failing
// listener, the dead-letter store, and the version quirks of §8, through the public API (a
// scenario text, sim::RunScenario, the timeline records and the event log).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/profile.h"
#include "sim/run.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace rmqsim::testing {
namespace {

using sim::RunResult;

sim::Scenario Load(const std::string& yaml) {
  absl::StatusOr<sim::Scenario> s = sim::ParseScenario(yaml, "consumer_test.yaml");
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  return *std::move(s);
}

RunResult Run(const sim::Scenario& s, const std::string& profile) {
  const sim::Profile* p = sim::FindProfile(profile);
  REQUIRE(p != nullptr);
  return sim::RunScenario(s, *p, sim::RunOptions{});
}

double Ms(const sim::SimTime& t) { return static_cast<double>(t.ns()) / 1e6; }

std::vector<const sim::DeliveryRecord*> Deliveries(const sim::MessageRecord& m,
                                                   const std::string& group) {
  std::vector<const sim::DeliveryRecord*> v;
  for (const auto& d : m.deliveries) {
    if (d.group == group) v.push_back(&d);
  }
  return v;
}

int CountEvents(const RunResult& r, const std::string& kind, const std::string& text_part = "") {
  return static_cast<int>(std::count_if(r.events.begin(), r.events.end(), [&](const auto& e) {
    return e.kind == kind && e.text.find(text_part) != std::string::npos;
  }));
}

// One message, one clustering group whose concurrent listener always fails. Client steps take no
// time, so each hop adds only network and broker service time (1 ms each way, 1 ms service).
constexpr char kAlwaysFail[] = R"(
scenario: always-fail
title: t
duration: 8h
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 1}]}]
consumers:
  - {group: cg, topic: TopicTest, behaviour: {always_fail: true}}
)";

// §7.1 "Delivered at", seconds after the first delivery.
const int64_t kCumulativeS[17] = {0,    10,   40,   100,  220,  400,  640,   940,  1300,
                                  1720, 2200, 2740, 3340, 4540, 6340, 9940, 17140};

TEST_CASE("§7.1 always-failing listener: 17 deliveries on the cumulative delay-level timetable",
          "[consumer]") {
  const sim::Scenario s = Load(kAlwaysFail);
  for (const char* name : {"4.9.0", "4.9.3", "4.9.8", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      REQUIRE(r.messages.size() == 1);
      const sim::MessageRecord& m = r.messages[0];
      auto d = Deliveries(m, "cg");
      REQUIRE(d.size() == 17);
      // Tolerance stated by §7.1: processing and network time are ignored there; each hop adds
      // the send-back RPC and a pull hop (here a few ms), and from 4.9.3 the 0-100 ms schedule
      // poll (§5.3). 4.9.0's timer fires at the deliver time exactly.
      const bool poll = std::string(name) != "4.9.0";
      const double per_hop_ms = poll ? 100 + 10 : 10;
      const double t0 = Ms(d[0]->t);
      bool some_poll_wait = false;
      for (size_t k = 0; k < 17; ++k) {
        INFO("delivery " << k + 1);
        CHECK(d[k]->reconsume_times == static_cast<int32_t>(k));
        CHECK(d[k]->result == "RECONSUME_LATER");
        const double late = Ms(d[k]->t) - t0 - static_cast<double>(kCumulativeS[k]) * 1000;
        CHECK(late >= 0);
        CHECK(late <= per_hop_ms * static_cast<double>(k));
        if (k > 0) {
          const double hop = Ms(d[k]->t) - Ms(d[k - 1]->t) -
                             static_cast<double>(kCumulativeS[k] - kCumulativeS[k - 1]) * 1000;
          some_poll_wait = some_poll_wait || hop > 10;
        }
        CHECK(d[k]->topic == (k == 0 ? "TopicTest" : "%RETRY%cg"));
      }
      CHECK(some_poll_wait == poll);

      // The dead letter: the 17th failure finds stored reconsumeTimes 16 >= 16 (§4.2 step 5).
      REQUIRE(m.fates.size() == 1);
      CHECK(m.fates[0].group == "cg");
      CHECK(m.fates[0].fate == sim::Fate::kDeadLettered);
      REQUIRE(m.fates[0].at.has_value());
      const double dlq_after_last = Ms(*m.fates[0].at) - Ms(d[16]->t);
      REQUIRE_FALSE(m.journey.empty());
      const sim::JourneyRecord& last = m.journey.back();
      CHECK(last.topic == "%DLQ%cg");
      CHECK(last.reconsume_times == 17);
      CHECK(last.queue == 0);
      if (std::string(name) == "4.9.0") {
        // The retry copy kept DELAY 18 in its stored properties: SCHEDULE_TOPIC_XXXX level 18,
        // then %DLQ% 2 h later, at about 24340 s after the first delivery (§4.4, §7.1).
        CHECK(dlq_after_last >= 7200 * 1000);
        CHECK(dlq_after_last <= 7200 * 1000 + 10);
        const sim::JourneyRecord& detour = m.journey[m.journey.size() - 2];
        CHECK(detour.topic == "SCHEDULE_TOPIC_XXXX");
        CHECK(detour.delay_level == 18);
        CHECK(Ms(*m.fates[0].at) - t0 >= 24340 * 1000);
        CHECK(Ms(*m.fates[0].at) - t0 <= 24340 * 1000 + 17 * 10);
      } else {
        // 4.9.3+ and 5.3.3 set DELAY 0 in the DLQ branch: stored at once (about 17140 s).
        CHECK(dlq_after_last >= 0);
        CHECK(dlq_after_last <= 10);
      }
      // Every hop before: SCHEDULE_TOPIC_XXXX at level 3 + r, then the re-put into %RETRY%cg.
      int scheduled = 0;
      for (const auto& j : m.journey) {
        if (j.topic == "SCHEDULE_TOPIC_XXXX" && j.via == "send-back") {
          CHECK(j.delay_level == std::min(3 + j.reconsume_times - 1, 18));
          ++scheduled;
        }
      }
      // 4.9.0 adds the dead message's detour at level 18.
      CHECK(scheduled == (poll ? 16 : 17));
      // Send-back copies carry ORIGIN_MESSAGE_ID: the broker's offset msgId of the original
      // (store host + commit-log offset, 32 hex digits), kept by every later hop (§4.2 step 6).
      const std::string origin = m.journey.front().origin_msg_id;
      CHECK(origin.size() == 32);
      for (const auto& j : m.journey) CHECK(j.origin_msg_id == origin);
      // %DLQ%cg is created on first use: WRITE only in 4.9.0, read-write from 4.9.2 (§4.1).
      CHECK(CountEvents(r, "topic_created",
                        poll ? "%DLQ%cg (1 queue, perm RW)" : "%DLQ%cg (1 queue, perm W)") == 1);
      CHECK(r.summary.dead_lettered == 1);
      CHECK(r.summary.deliveries == 17);
      CHECK(r.summary.redeliveries == 16);
    }
  }
}

TEST_CASE("§7.1 an explicit listener level is used every round; -1 dead-letters at once",
          "[consumer]") {
  std::string level5 = kAlwaysFail;
  level5.replace(level5.find("always_fail: true"), 17,
                 "always_fail: true, delay_level_when_next_consume: 5");
  std::string dlq_now = kAlwaysFail;
  dlq_now.replace(dlq_now.find("always_fail: true"), 17,
                  "always_fail: true, delay_level_when_next_consume: -1");
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      const RunResult r5 = Run(Load(level5), name);
      auto d = Deliveries(r5.messages[0], "cg");
      REQUIRE(d.size() == 17);
      for (size_t k = 1; k < d.size(); ++k) {
        const double gap = Ms(d[k]->t) - Ms(d[k - 1]->t);
        CHECK(gap >= 60000);  // level 5 = 1 m
        CHECK(gap <= 60000 + 110);
      }
      const RunResult r1 = Run(Load(dlq_now), name);
      const sim::MessageRecord& m = r1.messages[0];
      CHECK(Deliveries(m, "cg").size() == 1);
      REQUIRE(m.fates[0].fate == sim::Fate::kDeadLettered);
      // An original message has no DELAY property: even 4.9.0 stores it in %DLQ% at once.
      CHECK(Ms(*m.fates[0].at) - Ms(Deliveries(m, "cg")[0]->t) <= 10);
    }
  }
}

TEST_CASE("§5.1 a configured message_delay_level: level 3 + r is clamped to the last level",
          "[consumer]") {
  std::string y = kAlwaysFail;
  y.replace(y.find("  client_step_time: 0ms"), 23,
            "  client_step_time: 0ms\n  message_delay_level: [1s, 2s, 4s, 7s]");
  const sim::Scenario s = Load(y);
  for (const char* name : {"4.9.0", "4.9.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      auto d = Deliveries(r.messages[0], "cg");
      REQUIRE(d.size() == 17);
      // Waits: level 3 (4 s), then level 4 (7 s, the last) for every later failure.
      for (size_t k = 1; k < d.size(); ++k) {
        const double gap = Ms(d[k]->t) - Ms(d[k - 1]->t);
        const double want = k == 1 ? 4000 : 7000;
        CHECK(gap >= want);
        CHECK(gap < want + 110);
      }
      CHECK(r.messages[0].fates[0].fate == sim::Fate::kDeadLettered);
    }
  }
}

// Two messages on different queues, one consume thread: the first hangs for 40 minutes, the
// second waits for the thread without CONSUME_START_TIME.
constexpr char kCleaner[] = R"(
scenario: cleaner
title: t
duration: 50m
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 2}]}]
consumers:
  - {group: cg, topic: TopicTest, config: {consume_thread_min: 1}, behaviour: {hang: 40m}}
)";

TEST_CASE("§2.5 4.9.0's consume-timeout cleaner dies on a message still waiting for a thread",
          "[consumer]") {
  const sim::Scenario s = Load(kCleaner);
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      const bool v490 = std::string(name) == "4.9.0";
      // The first tick (15 m) finds the waiting message at the head of its queue: 4.9.0 parses a
      // null CONSUME_START_TIME and the timer task is cancelled for good; 4.9.3+ skip it.
      CHECK(CountEvents(r, "cleaner_died") == (v490 ? 1 : 0));
      // 4.9.3+: at the 30 m tick the hung call has run > 15 m: sent back with level 3 (a %RETRY%
      // copy with count 1). 4.9.0's cleaner is gone: nothing is sent back.
      CHECK(CountEvents(r, "consume_timeout") == (v490 ? 0 : 1));
      int cleaned = 0;
      for (const auto& m : r.messages) {
        for (const auto& j : m.journey) cleaned += j.via == "cleaner" ? 1 : 0;
      }
      CHECK(cleaned == (v490 ? 0 : 1));
    }
  }
}

// One message, two groups, first delivery hangs 40 m: the cleaner sends it back at its 30 m tick.
constexpr char kHang[] = R"(
scenario: hang
title: t
duration: 50m
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 1}]}]
consumers:
  - {group: cg-ok, topic: TopicTest, behaviour: {hang: 40m}}
  - {group: cg-fail, topic: TopicTest, behaviour: {hang: 40m, always_fail: true}}
)";

TEST_CASE("§7.5 consume timeout: duplicate after a late success; 4.9.x sends a late failure back "
          "again, 5.3.3 skips the cleaned message",
          "[consumer]") {
  const sim::Scenario s = Load(kHang);
  for (const char* name : {"4.9.0", "4.9.3", "4.9.8", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      const sim::MessageRecord& m = r.messages[0];
      auto ok = Deliveries(m, "cg-ok");
      REQUIRE(ok.size() == 2);
      // The hung call: TIME_OUT is the hook's classification; the status stays CONSUME_SUCCESS.
      CHECK(ok[0]->result == "TIMEOUT");
      CHECK(ok[0]->success);
      CHECK(Ms(*ok[0]->end) - Ms(ok[0]->t) == Approx(40 * 60 * 1000.0));
      // Redelivered about 10 s after the 30 m cleaner tick, with stored count 1.
      CHECK(ok[1]->reconsume_times == 1);
      CHECK(Ms(ok[1]->t) >= 30 * 60 * 1000 + 10000);
      CHECK(Ms(ok[1]->t) <= 30 * 60 * 1000 + 10000 + 200);
      REQUIRE(m.fates.size() == 2);  // groups in name order: cg-fail, cg-ok
      CHECK(m.fates[1].group == "cg-ok");
      CHECK(m.fates[1].duplicates == 1);
      CHECK(m.fates[0].fate == sim::Fate::kPending);
      // cg-fail: copies with count 1 (first lineage at ~30 m; 4.9.x: a second at ~40 m).
      int lineages = 0;
      for (auto* d : Deliveries(m, "cg-fail")) lineages += d->reconsume_times == 1 ? 1 : 0;
      CHECK(lineages == (std::string(name) == "5.3.3" ? 1 : 2));
      CHECK(CountEvents(r, "send_back_skipped") == (std::string(name) == "5.3.3" ? 1 : 0));
    }
  }
}

// The listener takes 31.5 s; broker-a is killed at 5 s. When the calls end (~33.5 s), the route
// poll (30.01 s) and cleanOfflineBroker (heartbeat timer, 31 s) have removed broker-a's address,
// but the next rebalance (~40 s; 5.3.3 ~41 s) has not yet dropped its queue, so the result is
// still processed (§2.2 step 6).
constexpr char kNoMaster[] = R"(
scenario: no-master
title: t
duration: 3m
cluster:
  brokers: [{name: broker-a, queues: 1}, {name: broker-b, queues: 1}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 10/s, count: 2}]}]
consumers:
  - {group: cg, topic: TopicTest, behaviour: {fail_first: 1, process_time: 31500ms}}
faults:
  - {at: 5s, action: kill, target: broker-a}
)";

TEST_CASE("§2.4 send-back without a master address: 4.9.x waits 5 s on the name-server channel, "
          "5.3.3 falls back at once",
          "[consumer]") {
  const sim::Scenario s = Load(kNoMaster);
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      const sim::MessageRecord* on_a = nullptr;
      for (const auto& m : r.messages) {
        if (!m.stored.empty() && m.stored[0].broker == "broker-a") on_a = &m;
      }
      REQUIRE(on_a != nullptr);
      auto d = Deliveries(*on_a, "cg");
      REQUIRE(d.size() == 2);
      const double failed_at = Ms(*d[0]->end);
      // The fallback copy lands on broker-b (DELAY 3, count 1) and comes back 10 s later.
      const sim::JourneyRecord* fallback = nullptr;
      for (const auto& j : on_a->journey) {
        if (j.via == "fallback" && !fallback) fallback = &j;
      }
      REQUIRE(fallback != nullptr);
      CHECK(fallback->broker == "broker-b");
      CHECK(fallback->reconsume_times == 1);
      CHECK(fallback->delay_level == 3);
      CHECK(fallback->origin_msg_id.empty());  // a first fallback loses ORIGIN_MESSAGE_ID (§7.8)
      const double wait = Ms(fallback->at) - failed_at;
      if (std::string(name) == "5.3.3") {
        CHECK(wait < 100);
      } else {
        CHECK(wait >= 5000);
        CHECK(wait < 5100);
      }
      CHECK(d[1]->topic == "%RETRY%cg");
      CHECK(d[1]->broker == "broker-b");
      CHECK(d[1]->result == "CONSUME_SUCCESS");
      CHECK(on_a->fates[0].fate == sim::Fate::kConsumed);
    }
  }
}

// Messages on broker-a fail three times; broker-a answers SYSTEM_BUSY for a second (send-backs
// fail, the fallback fetches the %RETRY%cg route with both brokers in it), then it is killed. The
// next fallbacks' inner producer still routes to broker-a: attempt 1 is refused and attempt 2 on
// broker-b carries neither counter (§2.4 step 3).
constexpr char kFallbackAttempt2[] = R"(
scenario: fallback-attempt-2
title: t
duration: 3m
cluster:
  brokers: [{name: broker-a, queues: 2}, {name: broker-b, queues: 2}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 1s, rate: 100/s, count: 8}]}]
consumers:
  - {group: cg, topic: TopicTest, behaviour: {fail_first: 3, process_time: 2s}}
faults:
  - {at: 2500ms, action: error, target: broker-a, code: SYSTEM_BUSY, for: 1s}
  - {at: 3600ms, action: kill, target: broker-a}
)";

TEST_CASE("§2.4 step 3 fallback producer attempt 2 without counters: 4.9.0 rejects it "
          "(SYSTEM_ERROR), 4.9.3 and 5.3.3 store it with reconsumeTimes 0",
          "[consumer]") {
  const sim::Scenario s = Load(kFallbackAttempt2);
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      int restarted = 0;  // fallback copies stored with count 0
      for (const auto& m : r.messages) {
        for (const auto& j : m.journey) {
          if (j.via == "fallback" && j.reconsume_times == 0) ++restarted;
        }
      }
      const int rejected = CountEvents(r, "retry_send_rejected", "null maxReconsumeTimes");
      if (std::string(name) == "4.9.0") {
        CHECK(rejected >= 1);
        CHECK(restarted == 0);
        // Both paths failed: local resubmission after 5 s (§2.3, §7.3).
        CHECK(CountEvents(r, "consume_later", "local reconsumeTimes 2") >= 1);
      } else {
        CHECK(rejected == 0);
        CHECK(restarted >= 1);
      }
      CHECK(r.summary.consumed == 8);
    }
  }
}

// One message; the listener fails every call and takes 10 s. The broker holding the message
// (and its retry copies) dies during the 16th call (reconsumeTimes 15), so that failure goes
// through the fallback, to the other broker, with header reconsumeTimes 16 (§7.2 "4.9.x edge at
// r = 15"). TopicTest is on both brokers so the consumer heartbeats both and each has
// %RETRY%cg (§4.1).
std::string EdgeScenario(const std::string& fault) {
  std::string y = R"(
scenario: edge-r15
title: t
duration: 8h
cluster:
  brokers: [{name: broker-a, queues: 1}, {name: broker-b, queues: 1}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 1}]}]
consumers:
  - {group: cg, topic: TopicTest, behaviour: {always_fail: true, process_time: 10s}}
)";
  if (!fault.empty()) y += "faults: [" + fault + "]\n";
  return y;
}

TEST_CASE("§7.2 fallback at r = 15: 4.9.x dead-letters via level 18 without a 17th delivery, "
          "5.3.3 keeps the 17th delivery",
          "[consumer]") {
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      const RunResult healthy = Run(Load(EdgeScenario("")), name);
      const sim::MessageRecord& hm = healthy.messages[0];
      auto hd = Deliveries(hm, "cg");
      REQUIRE(hd.size() == 17);
      REQUIRE(hm.stored.size() == 1);
      const std::string home = hm.stored[0].broker;
      const std::string other = home == "broker-a" ? "broker-b" : "broker-a";
      const int64_t t16 = static_cast<int64_t>(Ms(hd[15]->t));
      const RunResult r = Run(
          Load(EdgeScenario("{at: " + std::to_string(t16 + 5000) + "ms, action: kill, target: " +
                            home + "}")),
          name);
      const sim::MessageRecord& m = r.messages[0];
      auto d = Deliveries(m, "cg");
      const bool v5 = std::string(name) == "5.3.3";
      REQUIRE(d.size() == (v5 ? 17u : 16u));
      REQUIRE(m.fates[0].fate == sim::Fate::kDeadLettered);
      const sim::JourneyRecord* fallback = nullptr;
      for (const auto& j : m.journey) {
        if (j.via == "fallback") fallback = &j;
      }
      REQUIRE(fallback != nullptr);
      CHECK(fallback->broker == other);
      CHECK(fallback->topic == "SCHEDULE_TOPIC_XXXX");
      CHECK(fallback->delay_level == 18);  // DELAY 3 + 15
      CHECK(fallback->reconsume_times == 16);
      const double fallback_at = Ms(fallback->at);
      if (v5) {
        // 16 > 16 is false: an ordinary retry, delivered 2 h later from the other broker; its
        // failure finds stored count 16 >= 16 and is dead-lettered at once.
        CHECK(d[16]->topic == "%RETRY%cg");
        CHECK(d[16]->broker == other);
        CHECK(Ms(d[16]->t) - fallback_at >= 7200 * 1000);
        CHECK(Ms(d[16]->t) - fallback_at < 7200 * 1000 + 1200);
        CHECK(Ms(*m.fates[0].at) - Ms(*d[16]->end) < 20);
      } else {
        // 16 >= 16: %DLQ% with the client's DELAY 18 kept: dead-lettered 2 h after the fallback.
        CHECK(Ms(*m.fates[0].at) - fallback_at >= 7200 * 1000);
        CHECK(Ms(*m.fates[0].at) - fallback_at < 7200 * 1000 + 110);
        CHECK(m.journey.back().topic == "%DLQ%cg");
        CHECK(m.journey.back().reconsume_times == 16);
      }
    }
  }
}

// Twenty messages fail once at the same moment: their level-3 copies are re-put by one run of
// the schedule service. The broker is restarted 50 s later and resumes from its persisted
// progress (§5.3).
constexpr char kScheduleReplay[] = R"(
scenario: schedule-replay
title: t
duration: 2m
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1000/s, count: 20}]}]
consumers:
  - {group: cg, topic: TopicTest, behaviour: {fail_first: 1}}
faults:
  - {at: 60s, action: kill, target: broker-a, for: 5s}
)";

TEST_CASE("§5.3 4.9.3 records the run's start offset + 1 as schedule progress: a restart replays "
          "the run's re-puts (duplicates); 4.9.0, 4.9.8 and 5.3.3 do not",
          "[consumer]") {
  const sim::Scenario s = Load(kScheduleReplay);
  for (const char* name : {"4.9.0", "4.9.3", "4.9.8", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      const bool v493 = std::string(name) == "4.9.3";
      CHECK(r.summary.consumed == 20);
      // Entries 2..20 of the run are re-put again after the restart and consumed a second time.
      CHECK(r.summary.consumer_duplicates == (v493 ? 19 : 0));
      int replayed = 0;
      for (const auto& m : r.messages) {
        int reputs = 0;
        for (const auto& j : m.journey) reputs += j.via == "re-put" ? 1 : 0;
        replayed += reputs > 1 ? 1 : 0;
      }
      CHECK(replayed == (v493 ? 19 : 0));
    }
  }
}

TEST_CASE("§6.3 rebalance: AllocateMessageQueueAveragely over three instances, the retry "
          "queues to at most one per broker, and a killed instance's queues move",
          "[consumer]") {
  const sim::Scenario s = Load(R"(
scenario: rebalance
title: t
duration: 2m
cluster:
  brokers: [{name: broker-a, queues: 4}, {name: broker-b, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 1}]}]
consumers:
  - {group: cg, topic: TopicTest, instances: 3}
faults:
  - {at: 30s, action: kill, target: "consumer:cg#1"}
)");
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      core::VectorSink sink;
      sim::World w(s, *sim::FindProfile(name), s.seed, &sink);
      auto queues = [&](int i) {
        std::vector<std::string> v;
        for (const sim::MQ& mq : w.FindConsumer("cg", i)->AssignedQueues()) {
          v.push_back(mq.topic + "@" + mq.broker + ":" + std::to_string(mq.queue));
        }
        return v;
      };
      using VS = std::vector<std::string>;
      w.RunUntil(sim::SimTime::Zero() + sim::SimDuration::Seconds(25));
      // 8 queues over cg#0, cg#1, cg#2: 3, 3, 2 in (broker, queue) order. The retry topic's
      // route was read when only broker-a had registered %RETRY%cg (each broker creates it at the
      // group's first heartbeat, §4.1), so until the 30 s route poll there is one retry queue
      // (§6.3: "a new group may need up to ~50 s to own its retry queues").
      CHECK(queues(0) == VS{"%RETRY%cg@broker-a:0", "TopicTest@broker-a:0", "TopicTest@broker-a:1",
                            "TopicTest@broker-a:2"});
      CHECK(queues(1) == VS{"TopicTest@broker-a:3", "TopicTest@broker-b:0", "TopicTest@broker-b:1"});
      CHECK(queues(2) == VS{"TopicTest@broker-b:2", "TopicTest@broker-b:3"});
      // The kill closes cg#1's connections: the brokers notify the group, which rebalances at once
      // (8 queues over 2: 4, 4), now with both retry queues (2 over 2: 1, 1).
      w.RunUntil(sim::SimTime::Zero() + sim::SimDuration::Seconds(35));
      CHECK(queues(0) == VS{"%RETRY%cg@broker-a:0", "TopicTest@broker-a:0", "TopicTest@broker-a:1",
                            "TopicTest@broker-a:2", "TopicTest@broker-a:3"});
      CHECK(queues(2) == VS{"%RETRY%cg@broker-b:0", "TopicTest@broker-b:0", "TopicTest@broker-b:1",
                            "TopicTest@broker-b:2", "TopicTest@broker-b:3"});
    }
  }
}

TEST_CASE("§6.1, §6.2 long polling delivers a new message within a few ms; offsets reach the "
          "broker by the 5 s persist timer",
          "[consumer]") {
  const sim::Scenario s = Load(R"(
scenario: long-poll
title: t
duration: 1m
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 5s, rate: 10/s, count: 8}]}]
consumers:
  - {group: cg, topic: TopicTest}
)");
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      core::VectorSink sink;
      sim::World w(s, *sim::FindProfile(name), s.seed, &sink);
      w.RunUntil(sim::SimTime::Zero() + sim::SimDuration::Seconds(4));
      sim::BrokerConsumerSide* side = w.FindBrokerConsumerSide("broker-a");
      REQUIRE(side != nullptr);
      // Every owned queue has a pull parked at the broker (4 TopicTest + 1 retry queue).
      CHECK(side->held_pulls() == 5);
      w.RunUntil(sim::SimTime::Zero() + sim::SimDuration::Seconds(30));
      int64_t committed = 0;
      for (int q = 0; q < 4; ++q) committed += side->ConsumerOffset("cg", "TopicTest", q);
      CHECK(committed == 8);  // offsets past all 8 messages, pushed by persistConsumerOffset
      for (const auto& m : w.recorder().messages()) {
        REQUIRE(m.deliveries.size() == 1);
        REQUIRE(m.stored.size() == 1);
        // Reput wake (~1 ms) plus one network hop (1 ms): the parked pull answers at once.
        const double latency = Ms(m.deliveries[0].t) - Ms(m.stored[0].at);
        CHECK(latency >= 1.9);
        CHECK(latency <= 3);
      }
    }
  }
}

// An orderly group with maxReconsumeTimes 2 whose listener always fails.
constexpr char kOrderlyDlq[] = R"(
scenario: orderly-dlq
title: t
duration: 2m
cluster:
  brokers: [{name: broker-a, queues: 1}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 2s, rate: 1/s, count: 1}]}]
consumers:
  - {group: cg, topic: TopicTest, listener: orderly, config: {max_reconsume_times: 2},
     behaviour: {always_fail: true}}
)";

TEST_CASE("§3, §7.6 orderly: local retries 1 s apart, then the %RETRY% copy reaches the DLQ "
          "(4.9.x after level 3 + N, 5.3.3 at once with RECONSUME_TIME r + 1)",
          "[consumer]") {
  const sim::Scenario s = Load(kOrderlyDlq);
  for (const char* name : {"4.9.0", "4.9.3", "4.9.8", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      const sim::MessageRecord& m = r.messages[0];
      auto d = Deliveries(m, "cg");
      REQUIRE(d.size() == 3);  // N + 1 attempts
      for (size_t k = 0; k < d.size(); ++k) {
        CHECK(d[k]->topic == "TopicTest");  // never redelivered through the broker
        CHECK(d[k]->reconsume_times == static_cast<int32_t>(k));
        if (k > 0) {
          CHECK(Ms(d[k]->t) - Ms(d[k - 1]->t) >= 1000);
          CHECK(Ms(d[k]->t) - Ms(d[k - 1]->t) < 1020);
        }
      }
      REQUIRE(m.fates[0].fate == sim::Fate::kDeadLettered);
      const double dlq_after = Ms(*m.fates[0].at) - Ms(*d[2]->end);
      const sim::JourneyRecord& last = m.journey.back();
      CHECK(last.topic == "%DLQ%cg");
      CHECK(last.via == (std::string(name) == "5.3.3" ? "orderly" : "re-put"));
      // §7.8: the orderly copy keeps ORIGIN_MESSAGE_ID (the client msgId) from 4.9.4 (45010d9bdf);
      // 4.9.0 and 4.9.3 set it and then replace the property map, losing it.
      const bool keeps = std::string(name) == "4.9.8" || std::string(name) == "5.3.3";
      CHECK(last.origin_msg_id == (keeps ? m.id : ""));
      if (std::string(name) == "5.3.3") {
        CHECK(last.reconsume_times == 3);  // RECONSUME_TIME r + 1 (7cfffe7f48)
        CHECK(dlq_after < 100);
      } else {
        CHECK(last.reconsume_times == 2);
        // DELAY 3 + 2 = level 5 (1 m) kept on the dead message.
        CHECK(dlq_after >= 60000);
        CHECK(dlq_after < 60000 + 120);
      }
    }
  }
}

TEST_CASE("§7.4 broadcasting: a failure is dropped, no %RETRY% copy, every instance delivered once",
          "[consumer]") {
  const sim::Scenario s = Load(R"(
scenario: bcast
title: t
duration: 1m
cluster:
  brokers: [{name: broker-a, queues: 4}]
  topics: [{name: TopicTest}]
  client_step_time: 0ms
producers: [{group: pg, send: [{topic: TopicTest, mode: sync, start: 5s, rate: 10/s, count: 4}]}]
consumers:
  - {group: cg, topic: TopicTest, instances: 2, model: broadcasting, behaviour: {always_fail: true}}
)");
  for (const char* name : {"4.9.0", "4.9.3", "5.3.3"}) {
    SECTION(name) {
      const RunResult r = Run(s, name);
      for (const auto& m : r.messages) {
        auto d = Deliveries(m, "cg");
        REQUIRE(d.size() == 2);
        CHECK(d[0]->consumer != d[1]->consumer);
        CHECK(m.journey.empty());
        CHECK(m.fates[0].fate == sim::Fate::kDropped);
      }
      CHECK(CountEvents(r, "send_back") == 0);
      CHECK(r.summary.dropped == 4);
    }
  }
}

}  // namespace
}  // namespace rmqsim::testing
