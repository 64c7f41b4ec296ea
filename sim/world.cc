#include "sim/world.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "core/sync.h"

namespace rmqsim::sim {

StepTime DefaultClientStepTime() {
  return StepTime{SimDuration::Micros(700), SimDuration::Micros(1600)};
}

struct World::ProducerInstance {
  const ProducerSpec* spec;
  int32_t instance;
  std::string id;
  std::string id_prefix;  // "<id>/": a message id is the prefix and the message's sequence number
  // Each workload's topic (spec->send order), made once: every message shares it rather than
  // allocating a copy of its own.
  std::vector<core::RcString> topics;
  std::unique_ptr<ProducerClient> client;
  int64_t next_seq = 1;
  std::vector<std::unique_ptr<core::SimThread>> app_threads;
};

World::World(const Scenario& scenario, const Profile& profile, uint64_t seed,
             core::EventSink* sink, Accounting accounting)
    : scenario_(scenario),
      profile_(profile),
      seed_(seed),
      log_(sink),
      recorder_(accounting),
      net_(sched_, log_) {
  recorder_.set_horizon(SimTime::Zero() + scenario_.duration);
  // Only 5.3.3's async connect listener can call a SendCallback twice (quirk Q9).
  recorder_.set_repeat_callback_allowed(profile_.async_connect == AsyncConnect::kListener);
  BuildCluster();
  BuildProducers();
  BuildConsumers();
  ScheduleFaults();
}

World::~World() = default;

void World::BuildCluster() {
  std::vector<NameServer*> ns_ptrs;
  for (size_t i = 0; i < scenario_.cluster.nameservers.size(); ++i) {
    auto ns = std::make_unique<NameServer>(sched_, log_, net_, profile_,
                                           scenario_.cluster.nameservers[i],
                                           absl::StrCat("10.0.1.", i + 1, ":9876"));
    net_.AddHost(ns.get());
    ns_ptrs.push_back(ns.get());
    name_servers_.push_back(std::move(ns));
  }
  for (size_t i = 0; i < scenario_.cluster.brokers.size(); ++i) {
    const BrokerSpec& spec = scenario_.cluster.brokers[i];
    std::map<std::string, int32_t> topics;
    for (const TopicSpec& t : scenario_.cluster.topics) {
      for (const TopicBroker& tb : t.brokers) {
        if (tb.broker == spec.name) topics[t.name] = tb.queues;
      }
    }
    auto b = std::make_unique<Broker>(sched_, log_, net_, recorder_, profile_, spec,
                                      absl::StrCat("10.0.0.", i + 1, ":10911"), std::move(topics),
                                      scenario_.cluster.auto_create_topic, ns_ptrs, seed_);
    net_.AddHost(b.get());
    brokers_.push_back(std::move(b));
  }
  AttachConsumerSides();
  for (auto& ns : name_servers_) ns->StartProcess();
  for (auto& b : brokers_) b->StartProcess();
}

void World::BuildProducers() {
  std::vector<std::string> ns_addrs;
  for (auto& ns : name_servers_) ns_addrs.push_back(ns->addr());
  StepTime step = scenario_.cluster.client_step_time.value_or(DefaultClientStepTime());
  for (const ProducerSpec& spec : scenario_.producers) {
    ProducerSettings settings = profile_.defaults;
    for (const SettingOverride& o : spec.config) o.setting->apply(settings, o.value);
    for (int32_t i = 0; i < spec.instances; ++i) {
      auto p = std::make_unique<ProducerInstance>();
      p->spec = &spec;
      p->instance = i;
      p->id = absl::StrCat(spec.group, "#", i);
      p->id_prefix = p->id + "/";
      for (const WorkloadSpec& w : spec.send) p->topics.emplace_back(w.topic);
      ClientContext ctx{sched_, scope_, log_,    net_,  recorder_, profile_,
                        settings, p->id, spec.group, seed_, step,
                        core::Rng::ForStream(seed_, "producer:" + p->id + "/client-steps")};
      p->client = std::make_unique<ProducerClient>(std::move(ctx), ns_addrs);
      ProducerInstance* raw = p.get();
      sched_.ScheduleAt(SimTime::Zero() + spec.start_at, [this, raw] {
        raw->client->Start();
        for (const WorkloadSpec& w : raw->spec->send) StartWorkload(*raw, w);
      });
      producers_.push_back(std::move(p));
    }
  }
}

namespace {
// "<prefix><seq>", sized once and filled with two copies: the id of every message (absl::StrCat's
// general path cost ~200 instructions here).
core::RcString MessageId(const std::string& prefix, int64_t seq) {
  char digits[20];
  char* end = std::to_chars(digits, digits + sizeof digits, seq).ptr;
  std::string id;
  id.reserve(prefix.size() + static_cast<size_t>(end - digits));
  id.append(prefix).append(digits, end);
  return id;
}
}  // namespace

bool World::Planned(const WorkloadSpec& w, uint64_t i, SimTime* at) const {
  if (w.count && i >= static_cast<uint64_t>(*w.count)) return false;
  // A send planned after the horizon never happens: stop planning there, before start + offset
  // (a slow rate's offset can pass the 64-bit clock) is computed.
  if (w.start > scenario_.duration) return false;
  // The offset is computed once per planned message, for the horizon check and the send time.
  const Rate::Uint128 offset = w.rate.OffsetNs(i);
  if (offset > static_cast<Rate::Uint128>((scenario_.duration - w.start).ns())) return false;
  // offset <= the duration: it fits in a SimDuration (Rate::Offset's overflow check holds).
  SimTime t = SimTime::Zero() + w.start + SimDuration::Nanos(static_cast<int64_t>(offset));
  if (w.until && t >= SimTime::Zero() + *w.until) return false;
  *at = t;
  return true;
}

Message World::NewMessage(ProducerInstance& p, const WorkloadSpec& w) {
  Message m;
  m.id = MessageId(p.id_prefix, p.next_seq++);
  m.topic = p.topics[static_cast<size_t>(&w - p.spec->send.data())];
  m.body_size = w.body_size;
  m.index = recorder_.NewMessage(m.id.str(), p.id, w.topic, w.mode, sched_.now());
  if (ledger_) ledger_->InitFates(m.index, w.topic);
  return m;
}

void World::StartWorkload(ProducerInstance& p, const WorkloadSpec& w) {
  if (w.mode == SendMode::kAsync && !p.client->AsyncSendBlocksCaller()) {
    PlanAsync(&p, &w, 0);
    return;
  }
  // Sync: `threads` caller threads take planned messages in order. Oneway, and async with 5.3.3
  // backpressure (the caller waits for permits): one caller thread.
  int32_t threads = w.mode == SendMode::kSync ? w.threads : 1;
  auto next = std::make_shared<uint64_t>(0);
  for (int32_t k = 0; k < threads; ++k) {
    size_t widx = static_cast<size_t>(&w - p.spec->send.data());
    p.app_threads.push_back(std::make_unique<core::SimThread>(
        absl::StrCat("app-", widx + 1, "-", SendModeName(w.mode), "-", k + 1)));
    scope_.Spawn(CallerThread(&p, &w, p.app_threads.back().get(), next));
  }
}

Task<void> World::CallerThread(ProducerInstance* p, const WorkloadSpec* w, core::SimThread* thread,
                               std::shared_ptr<uint64_t> next) {
  for (;;) {
    SimTime at;
    if (!Planned(*w, *next, &at)) co_return;
    ++*next;
    if (at > sched_.now()) co_await core::Sleep(sched_, at - sched_.now());
    Message m = NewMessage(*p, *w);
    if (w->mode == SendMode::kSync) {
      co_await p->client->SendSync(*thread, std::move(m));
    } else if (w->mode == SendMode::kAsync) {
      co_await p->client->SendAsyncFromCaller(*thread, std::move(m));
    } else {
      co_await p->client->SendOneway(*thread, std::move(m));
    }
  }
}

void World::PlanAsync(ProducerInstance* p, const WorkloadSpec* w, uint64_t i) {
  SimTime at;
  if (!Planned(*w, i, &at)) return;
  if (at < sched_.now()) at = sched_.now();
  sched_.ScheduleAt(at, [this, p, w, i] {
    p->client->SendAsync(NewMessage(*p, *w));
    PlanAsync(p, w, i + 1);
  });
}

Host* World::TargetHost(const FaultTarget& t) {
  if (t.kind == FaultTarget::Kind::kBroker) return FindBroker(t.name);
  if (t.kind == FaultTarget::Kind::kNameServer) return FindNameServer(t.name);
  return nullptr;
}

void World::LogFault(const std::string& kind, const FaultSpec& f, const std::string& what) {
  log_.Emit([&] {
    core::Event e{sched_.now(), "fault", kind, "", what};
    e.fields = {{"action", FaultActionName(f.action)}, {"target", f.target.text}};
    return e;
  });
}

void World::ScheduleFaults() {
  for (const FaultSpec& f : scenario_.faults) {
    const FaultSpec* fp = &f;
    sched_.ScheduleAt(SimTime::Zero() + f.at, [this, fp] { ApplyFault(*fp); });
    if (f.for_duration) {
      sched_.ScheduleAt(SimTime::Zero() + f.at + *f.for_duration, [this, fp] { EndFault(*fp); });
    }
  }
}

void World::ApplyFault(const FaultSpec& f) {
  if (f.target.kind == FaultTarget::Kind::kConsumer) return ApplyConsumerFault(f, false);
  Host* host = TargetHost(f.target);
  RMQ_CHECK(host != nullptr) << "fault on unknown target " << f.target.text;
  Broker* broker = f.target.kind == FaultTarget::Kind::kBroker ? FindBroker(f.target.name) : nullptr;
  NameServer* ns =
      f.target.kind == FaultTarget::Kind::kNameServer ? FindNameServer(f.target.name) : nullptr;
  std::string what = absl::StrCat(FaultActionName(f.action), " ", f.target.text);
  switch (f.action) {
    case FaultAction::kKill:
      if (!host->process_up()) break;
      if (broker) broker->KillProcess();
      net_.Kill(host);
      if (ns) ns->KillProcess();
      break;
    case FaultAction::kStart:
    case FaultAction::kHeal: {
      bool was_down = !host->process_up();
      if (broker) broker->ClearFaults();
      net_.Start(host);
      if (was_down) {
        if (broker) broker->StartProcess();
        if (ns) ns->StartProcess();
      }
      break;
    }
    case FaultAction::kCrash:
      net_.Crash(host);
      break;
    case FaultAction::kPartition:
      net_.Partition(host, f.from_group.value_or(""));
      if (f.from_group) what += " from " + *f.from_group;
      break;
    case FaultAction::kSlow:
      broker->SetSlow(f.delay);
      what += " by " + f.delay.ToString();
      break;
    case FaultAction::kError:
      broker->SetError(std::make_pair(f.code, f.ratio));
      what += absl::StrCat(" code ", f.code_name, " ratio ", f.ratio.num, "/", f.ratio.den);
      break;
    case FaultAction::kDropResponses:
      broker->SetDropResponses(f.ratio);
      what += absl::StrCat(" ratio ", f.ratio.num, "/", f.ratio.den);
      break;
  }
  LogFault(f.action == FaultAction::kHeal || f.action == FaultAction::kStart ? "fault_end"
                                                                               : "fault_begin",
           f, what);
}

void World::EndFault(const FaultSpec& f) {
  if (f.target.kind == FaultTarget::Kind::kConsumer) return ApplyConsumerFault(f, true);
  Host* host = TargetHost(f.target);
  Broker* broker = f.target.kind == FaultTarget::Kind::kBroker ? FindBroker(f.target.name) : nullptr;
  NameServer* ns =
      f.target.kind == FaultTarget::Kind::kNameServer ? FindNameServer(f.target.name) : nullptr;
  switch (f.action) {
    case FaultAction::kKill: {
      bool was_down = !host->process_up();
      net_.Start(host);
      if (was_down) {
        if (broker) broker->StartProcess();
        if (ns) ns->StartProcess();
      }
      break;
    }
    case FaultAction::kCrash:
    case FaultAction::kPartition:
      net_.HealPath(host);
      break;
    case FaultAction::kSlow:
      broker->SetSlow(std::nullopt);
      break;
    case FaultAction::kError:
      broker->SetError(std::nullopt);
      break;
    case FaultAction::kDropResponses:
      broker->SetDropResponses(std::nullopt);
      break;
    case FaultAction::kStart:
    case FaultAction::kHeal:
      break;
  }
  LogFault("fault_end", f, absl::StrCat(FaultActionName(f.action), " ", f.target.text, " ends (for ",
                                        f.for_duration->ToString(), ")"));
}

Broker* World::FindBroker(const std::string& name) {
  for (auto& b : brokers_) {
    if (b->name() == name) return b.get();
  }
  return nullptr;
}

NameServer* World::FindNameServer(const std::string& name) {
  for (auto& n : name_servers_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

ProducerClient* World::FindProducer(const std::string& group, int32_t instance) {
  for (auto& p : producers_) {
    if (p->spec->group == group && p->instance == instance) return p->client.get();
  }
  return nullptr;
}

void World::RunUntil(SimTime t) { sched_.RunUntil(t); }

core::Scheduler::StopReason World::Run(uint64_t max_events) {
  return sched_.Run(SimTime::Zero() + scenario_.duration, max_events);
}

}  // namespace rmqsim::sim
