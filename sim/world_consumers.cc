// The World's push consumers: the brokers' consumer sides, consumer instances (each restart is a
// new incarnation of the instance: a fresh process with the same client id), and consumer faults
// (`kill` closes the instance's connections, `crash` freezes it silently, `start` starts a new
// incarnation; `for:` restarts it).
#include "absl/strings/str_cat.h"
#include "sim/world.h"

namespace rmqsim::sim {

void World::AttachConsumerSides() {
  if (scenario_.consumers.empty()) return;
  ledger_ = std::make_unique<ConsumerLedger>(recorder_, scenario_.consumers);
  for (auto& b : brokers_) {
    broker_sides_.push_back(std::make_unique<BrokerConsumerSide>(
        *b, *ledger_, scenario_.cluster.message_delay_level, seed_));
    b->set_consumer_side(broker_sides_.back().get());
  }
}

void World::BuildConsumers() {
  for (const ConsumerSpec& spec : scenario_.consumers) {
    ConsumerSettings settings = profile_.consumer_defaults;
    settings.max_reconsume_times = spec.max_reconsume_times;
    settings.consume_timeout = spec.consume_timeout;
    settings.consume_thread_min = spec.consume_thread_min;
    for (const ConsumerSettingOverride& o : spec.config) o.setting->apply(settings, o.value);
    for (int32_t i = 0; i < spec.instances; ++i) {
      auto c = std::make_unique<ConsumerInstance>();
      c->spec = &spec;
      c->instance = i;
      c->settings = settings;
      ConsumerInstance* raw = c.get();
      sched_.ScheduleAt(SimTime::Zero() + spec.start_at, [this, raw] {
        if (raw->incarnations.empty()) StartConsumer(raw);
      });
      consumers_.push_back(std::move(c));
    }
  }
}

void World::StartConsumer(ConsumerInstance* c) {
  std::vector<std::string> ns_addrs;
  for (auto& ns : name_servers_) ns_addrs.push_back(ns->addr());
  ConsumerEnv env{sched_,
                  scope_,
                  log_,
                  net_,
                  profile_,
                  *ledger_,
                  seed_,
                  scenario_.cluster.client_step_time.value_or(DefaultClientStepTime()),
                  std::move(ns_addrs),
                  [this](const std::string& addr) -> BrokerConsumerSide* {
                    for (size_t i = 0; i < brokers_.size(); ++i) {
                      if (brokers_[i]->addr() == addr) return broker_sides_[i].get();
                    }
                    return nullptr;
                  }};
  const int32_t incarnation = static_cast<int32_t>(c->incarnations.size()) + 1;
  c->incarnations.push_back(std::make_unique<ConsumerClient>(env, *c->spec, c->instance,
                                                             incarnation, c->settings,
                                                             &c->local_file));
  c->incarnations.back()->Start();
}

void World::ApplyConsumerFault(const FaultSpec& f, bool ending) {
  ConsumerInstance* c = nullptr;
  for (auto& ci : consumers_) {
    if (ci->spec->group == f.target.name && ci->instance == f.target.instance) c = ci.get();
  }
  RMQ_CHECK(c != nullptr) << "fault on unknown consumer " << f.target.text;
  ConsumerClient* current = c->incarnations.empty() ? nullptr : c->incarnations.back().get();
  const bool running = current != nullptr && current->alive();
  std::string what = absl::StrCat(FaultActionName(f.action), " ", f.target.text);
  bool start = f.action == FaultAction::kStart || ending;
  if (start) {
    if (!running) StartConsumer(c);
  } else if (running) {
    current->Stop(/*fin=*/f.action == FaultAction::kKill);
  }
  if (ending) {
    LogFault("fault_end", f, absl::StrCat(what, " ends (for ", f.for_duration->ToString(), ")"));
  } else {
    LogFault(start ? "fault_end" : "fault_begin", f, what);
  }
}

ConsumerClient* World::FindConsumer(const std::string& group, int32_t instance) {
  for (auto& c : consumers_) {
    if (c->spec->group == group && c->instance == instance && !c->incarnations.empty()) {
      return c->incarnations.back().get();
    }
  }
  return nullptr;
}

BrokerConsumerSide* World::FindBrokerConsumerSide(const std::string& broker) {
  for (size_t i = 0; i < broker_sides_.size(); ++i) {
    if (brokers_[i]->name() == broker) return broker_sides_[i].get();
  }
  return nullptr;
}

}  // namespace rmqsim::sim
