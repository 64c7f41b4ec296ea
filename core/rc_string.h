// RcString: an immutable string shared by reference count, for the values that travel with every
// simulated request (message ids, topics, remarks) and get copied and moved at each hop of a
// send: a copy is a counter increment, a move a pointer swap, instead of a string copy (and a heap
// allocation past the 15-character small-string buffer). The empty string allocates nothing.
//
// Not thread-safe: the count is a plain integer. An RcString belongs to one run (one thread); a
// value that must cross threads goes as its std::string (str()).
//
//   RcString id = absl::StrCat(group, "#", n);   // one allocation
//   RemotingCommand req; req.msg_id = id;        // no allocation
//   std::cout << id << id.size();                // reads like a std::string
//   absl::StrCat("id ", id.str());               // str() where a conversion is not enough
#ifndef RMQSIM_CORE_RC_STRING_H_
#define RMQSIM_CORE_RC_STRING_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace rmqsim::core {

class RcString {
 public:
  RcString() = default;
  // Implicit, so that a std::string or a literal can be assigned where an RcString is kept.
  RcString(std::string s) : rep_(s.empty() ? nullptr : new Rep{1, std::move(s)}) {}  // NOLINT
  RcString(const char* s) : RcString(std::string(s)) {}                              // NOLINT
  RcString(std::string_view s) : RcString(std::string(s)) {}                         // NOLINT

  RcString(const RcString& o) noexcept : rep_(o.rep_) {
    if (rep_ != nullptr) ++rep_->refs;
  }
  RcString(RcString&& o) noexcept : rep_(std::exchange(o.rep_, nullptr)) {}
  RcString& operator=(const RcString& o) noexcept {
    RcString copy(o);
    std::swap(rep_, copy.rep_);
    return *this;
  }
  RcString& operator=(RcString&& o) noexcept {
    std::swap(rep_, o.rep_);
    return *this;
  }
  ~RcString() {
    if (rep_ != nullptr && --rep_->refs == 0) delete rep_;
  }

  const std::string& str() const { return rep_ != nullptr ? rep_->s : kEmpty; }
  operator const std::string&() const { return str(); }  // NOLINT: reads as a std::string

  bool empty() const { return rep_ == nullptr; }
  size_t size() const { return str().size(); }
  const char* data() const { return str().data(); }
  const char* c_str() const { return str().c_str(); }

  friend bool operator==(const RcString& a, const RcString& b) {
    return a.rep_ == b.rep_ || a.str() == b.str();
  }
  friend bool operator==(const RcString& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const RcString& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const RcString& a, const char* b) { return a.str() == b; }
  friend bool operator<(const RcString& a, const RcString& b) { return a.str() < b.str(); }
  friend std::string operator+(const RcString& a, std::string_view b) {
    std::string r(a.str());
    r.append(b);
    return r;
  }
  friend std::string operator+(std::string_view a, const RcString& b) {
    std::string r(a);
    r.append(b.str());
    return r;
  }
  friend std::ostream& operator<<(std::ostream& o, const RcString& s) { return o << s.str(); }

 private:
  struct Rep {
    uint32_t refs;
    std::string s;
  };
  static inline const std::string kEmpty;
  Rep* rep_ = nullptr;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_RC_STRING_H_
