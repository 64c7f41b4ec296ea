// InlineFunction: a move-only void() callable stored in place, with no heap allocation.
//
// The scheduler keeps one per pending event; most are coroutine resumptions (one pointer) or small
// lambdas. A callable larger than the buffer is a compile error, not a silent allocation: capture
// less, or capture a pointer to state owned elsewhere.
//
// Trivially copyable callables (coroutine handles, lambdas capturing pointers, references and
// integers: nearly all of the scheduler's) are moved by a fixed-size memcpy and destroyed by doing
// nothing, with no call through manage_. The call pointers come first, so that a small callable
// shares their cache line.
#ifndef RMQSIM_CORE_INLINE_FUNCTION_H_
#define RMQSIM_CORE_INLINE_FUNCTION_H_

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace rmqsim::core {

template <size_t kCapacity>
class InlineFunction {
 public:
  InlineFunction() = default;

  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, InlineFunction>>>
  InlineFunction(F&& f) {  // NOLINT(google-explicit-constructor): used like std::function
    static_assert(sizeof(D) <= kCapacity, "callable too large for InlineFunction: capture less");
    static_assert(alignof(D) <= alignof(std::max_align_t), "over-aligned callable");
    static_assert(std::is_nothrow_move_constructible_v<D>, "callable must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    invoke_ = [](void* p) { (*static_cast<D*>(p))(); };
    if constexpr (!std::is_trivially_copyable_v<D>) {
      manage_ = [](void* dst, void* src) noexcept {
        D* s = static_cast<D*>(src);
        if (dst != nullptr) ::new (dst) D(std::move(*s));
        s->~D();
      };
    }
  }

  InlineFunction(InlineFunction&& o) noexcept { MoveFrom(o); }
  InlineFunction& operator=(InlineFunction&& o) noexcept {
    if (this != &o) {
      Reset();
      MoveFrom(o);
    }
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { Reset(); }

  explicit operator bool() const { return invoke_ != nullptr; }
  void operator()() { invoke_(storage_); }

  void Reset() {
    if (manage_ != nullptr) manage_(nullptr, storage_);
    invoke_ = nullptr;
    manage_ = nullptr;
  }

 private:
  void MoveFrom(InlineFunction& o) noexcept {
    if (o.invoke_ == nullptr) return;
    if (o.manage_ == nullptr) {
      std::memcpy(storage_, o.storage_, kCapacity);  // trivially copyable: bytes are the object
    } else {
      o.manage_(storage_, o.storage_);
    }
    invoke_ = o.invoke_;
    manage_ = o.manage_;
    o.invoke_ = nullptr;
    o.manage_ = nullptr;
  }

  void (*invoke_)(void*) = nullptr;  // null when empty
  // Moves (dst != null) or destroys the callable; null for trivially copyable ones.
  void (*manage_)(void* dst, void* src) noexcept = nullptr;
  alignas(std::max_align_t) unsigned char storage_[kCapacity];
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_INLINE_FUNCTION_H_
