#include "sim/consumer_ledger.h"

#include "core/check.h"

namespace rmqsim::sim {

ConsumerLedger::ConsumerLedger(Recorder& recorder, const std::vector<ConsumerSpec>& consumers)
    : recorder_(recorder) {
  for (const ConsumerSpec& c : consumers) {
    groups_[c.group] = Group{c.model == ConsumerModel::kBroadcasting, c.instances, c.topic};
  }
}

void ConsumerLedger::InitFates(int64_t index, const std::string& topic) {
  MessageRecord& m = recorder_.message(index);
  for (const auto& [name, g] : groups_) {  // std::map: groups in name order
    if (g.topic == topic) m.fates.push_back(FateRecord{name, Fate::kPending, {}, {}, 0});
  }
}

FateRecord* ConsumerLedger::FindFate(int64_t index, const std::string& group) {
  for (FateRecord& f : recorder_.message(index).fates) {
    if (f.group == group) return &f;
  }
  return nullptr;
}

void ConsumerLedger::Seal(FateRecord& f, Fate fate, SimTime at) {
  if (f.fate != Fate::kPending) return;
  f.fate = fate;
  f.at = at;
}

int32_t ConsumerLedger::PriorDeliveries(int64_t index, const std::string& group,
                                        const std::string& consumer) const {
  int32_t n = 0;
  for (const DeliveryRecord& d : recorder_.messages()[static_cast<size_t>(index)].deliveries) {
    if (d.group == group && (consumer.empty() || d.consumer == consumer)) ++n;
  }
  return n;
}

size_t ConsumerLedger::Delivered(int64_t index, DeliveryRecord d) {
  std::vector<DeliveryRecord>& v = recorder_.message(index).deliveries;
  v.push_back(std::move(d));
  return v.size() - 1;
}

void ConsumerLedger::DeliveryDone(int64_t index, size_t slot, SimTime end, std::string result,
                                  bool success) {
  MessageRecord& m = recorder_.message(index);
  RMQ_CHECK(slot < m.deliveries.size()) << "no delivery " << slot << " of " << m.id;
  DeliveryRecord& d = m.deliveries[slot];
  d.end = end;
  d.result = std::move(result);
  d.success = success;
  if (!success) return;
  FateRecord* f = FindFate(index, d.group);
  RMQ_CHECK(f != nullptr) << m.id << " delivered to group " << d.group << " without a fate";
  if (!f->first_consumed) f->first_consumed = end;
  auto g = groups_.find(d.group);
  if (g != groups_.end() && g->second.broadcasting) {
    std::set<std::string>& done = broadcast_consumed_[{index, d.group}];
    if (!done.insert(d.consumer).second) {
      ++f->duplicates;
    } else if (static_cast<int32_t>(done.size()) >= g->second.instances) {
      Seal(*f, Fate::kConsumed, end);
    }
    return;
  }
  if (++successes_[{index, d.group}] > 1) ++f->duplicates;
  Seal(*f, Fate::kConsumed, end);
}

void ConsumerLedger::Dropped(int64_t index, const std::string& group, SimTime at) {
  if (FateRecord* f = FindFate(index, group)) Seal(*f, Fate::kDropped, at);
}

void ConsumerLedger::Copy(int64_t index, JourneyRecord j, bool dead_letter) {
  if (index < 0) return;
  MessageRecord& m = recorder_.message(index);
  if (dead_letter) {
    if (FateRecord* f = FindFate(index, j.group)) Seal(*f, Fate::kDeadLettered, j.at);
  }
  m.journey.push_back(std::move(j));
}

}  // namespace rmqsim::sim
