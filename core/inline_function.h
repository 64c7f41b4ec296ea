// InlineFunction: a move-only void() callable stored in place, with no heap allocation.
//
// The scheduler keeps one per pending event; most are coroutine resumptions (one pointer) or small
// lambdas. A callable larger than the buffer is a compile error, not a silent allocation: capture
// less, or capture a pointer to state owned elsewhere.
#ifndef RMQSIM_CORE_INLINE_FUNCTION_H_
#define RMQSIM_CORE_INLINE_FUNCTION_H_

#include <cstddef>
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
    manage_ = [](void* dst, void* src) noexcept {
      D* s = static_cast<D*>(src);
      if (dst != nullptr) ::new (dst) D(std::move(*s));
      s->~D();
    };
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
    if (o.manage_ == nullptr) return;
    o.manage_(storage_, o.storage_);
    invoke_ = o.invoke_;
    manage_ = o.manage_;
    o.invoke_ = nullptr;
    o.manage_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kCapacity];
  void (*invoke_)(void*) = nullptr;
  void (*manage_)(void* dst, void* src) noexcept = nullptr;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_INLINE_FUNCTION_H_
