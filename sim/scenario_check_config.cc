// A producer's `config:` settings, typed and bounded by the setting registry (sim/profile.h),
// and available in every profile the scenario compares.
#include <vector>

#include "absl/time/time.h"
#include "sim/profile.h"
#include "sim/scenario_check.h"
#include "sim/scenario_values.h"

namespace rmqsim::sim::loader {
namespace {

std::vector<std::string_view> SettingKeys() {
  std::vector<std::string_view> keys;
  for (const SettingInfo& s : AllSettings()) keys.push_back(s.key);
  return keys;
}

std::string Ms(int64_t ms) { return absl::FormatDuration(absl::Milliseconds(ms)); }

std::optional<SettingValue> ReadBoundedDuration(Ctx& ctx, const Node& n, std::string_view path,
                                                const SettingInfo& s) {
  std::optional<SimDuration> d = ReadDuration(ctx, n, path);
  if (!d) return std::nullopt;
  int64_t min_ns, max_ns;
  if (__builtin_mul_overflow(s.min, 1000000, &min_ns)) min_ns = INT64_MAX;
  if (__builtin_mul_overflow(s.max, 1000000, &max_ns)) max_ns = INT64_MAX;
  if (d->ns() < min_ns || d->ns() > max_ns) {
    ctx.Error(n.pos, path,
              Cat("must be between ", Ms(s.min), " and ", Ms(s.max), " (got ", Quote(n.text), ")"));
    return std::nullopt;
  }
  return SettingValue(*d);
}

std::optional<SettingValue> ReadCodeList(Ctx& ctx, const Node& n, std::string_view path,
                                         const SettingInfo& s) {
  if (!n.is_seq()) {
    TypeError(ctx, n, path, "a list of response codes");
    return std::nullopt;
  }
  std::vector<int32_t> codes;
  bool ok = true;
  for (size_t i = 0; i < n.items.size(); ++i) {
    auto code = ReadResponseCode(ctx, *n.items[i], Index(path, i), s.min, s.max);
    if (code) codes.push_back(*code);
    ok = ok && code.has_value();
  }
  if (!ok) return std::nullopt;
  return SettingValue(std::move(codes));
}

std::optional<SettingValue> ReadSetting(Ctx& ctx, const Node& n, std::string_view path,
                                        const SettingInfo& s) {
  switch (s.type) {
    case SettingType::kDuration:
      return ReadBoundedDuration(ctx, n, path, s);
    case SettingType::kInt:
      if (auto v = ReadInt(ctx, n, path, s.min, s.max)) return SettingValue(*v);
      return std::nullopt;
    case SettingType::kBool:
      if (auto v = ReadBool(ctx, n, path)) return SettingValue(*v);
      return std::nullopt;
    case SettingType::kCodeList:
      return ReadCodeList(ctx, n, path, s);
  }
  return std::nullopt;
}

void CheckAvailable(Ctx& ctx, const Entry& e, const SettingInfo& s) {
  std::vector<std::string> missing;
  for (const std::string& profile : ctx.s.compare) {
    if (!s.AvailableIn(profile)) missing.push_back(profile);
  }
  if (missing.empty()) return;
  ctx.Error(e.key_pos, "",
            Cat("setting ", Quote(s.key), " is not available in profile",
                missing.size() > 1 ? "s " : " ", JoinStrings(missing, ", ")));
}

}  // namespace

void CheckProducerConfig(Ctx& ctx, const Node& n, std::string_view path, ProducerSpec& p) {
  if (!n.is_map()) return TypeError(ctx, n, path, "a map of settings");
  for (const Entry& e : n.entries) {
    const SettingInfo* s = FindSetting(e.key);
    if (!s) {
      ctx.Error(e.key_pos, "",
                Cat("unknown key ", Quote(e.key), ctx.Suggest(e.key, SettingKeys())));
      continue;
    }
    CheckAvailable(ctx, e, *s);
    std::optional<SettingValue> value = ReadSetting(ctx, *e.value, Join(path, e.key), *s);
    if (!value) continue;
    p.config.push_back(
        SettingOverride{s, std::move(*value), SourceLoc{e.key_pos.line, e.key_pos.column}});
  }
}

}  // namespace rmqsim::sim::loader
