// MoveFunction<R(Args...)>: a move-only std::function whose callable is stored in place when it
// fits in kInline bytes, on the heap otherwise.
//
// Jobs and response callbacks are made once per message and per attempt and capture a few
// shared_ptrs and integers: more than std::function keeps inline (16 bytes in libstdc++), so each
// cost a heap allocation there. They are never copied, so move-only is enough, and it lets them
// capture move-only state. Unlike InlineFunction (the scheduler's void() callbacks, which must
// never allocate), a large callable is still accepted.
//
//   core::MoveFunction<int(int)> f = [k = 3](int x) { return x * k; };
//   f(2);  // 6
#ifndef RMQSIM_CORE_MOVE_FUNCTION_H_
#define RMQSIM_CORE_MOVE_FUNCTION_H_

#include <cstddef>
#include <cstring>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

#include "core/check.h"

namespace rmqsim::core {

template <typename Sig, size_t kInline = 48>
class MoveFunction;

template <typename R, typename... Args, size_t kInline>
class MoveFunction<R(Args...), kInline> {
 public:
  MoveFunction() = default;
  MoveFunction(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): like std::function

  template <typename F, typename D = std::decay_t<F>,
            typename = std::enable_if_t<!std::is_same_v<D, MoveFunction> &&
                                        !std::is_same_v<D, std::nullptr_t> &&
                                        std::is_invocable_r_v<R, D&, Args...>>>
  MoveFunction(F&& f) {  // NOLINT(google-explicit-constructor): used like std::function
    if constexpr (kFitsInline<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      invoke_ = [](void* p, Args&&... args) -> R {
        return std::invoke(*static_cast<D*>(p), std::forward<Args>(args)...);
      };
      if constexpr (!std::is_trivially_copyable_v<D>) {
        manage_ = [](void* dst, void* src) noexcept {
          D* s = static_cast<D*>(src);
          if (dst != nullptr) ::new (dst) D(std::move(*s));
          s->~D();
        };
      }
    } else {
      D* heap = new D(std::forward<F>(f));
      std::memcpy(storage_, &heap, sizeof(heap));
      invoke_ = [](void* p, Args&&... args) -> R {
        return std::invoke(**static_cast<D**>(p), std::forward<Args>(args)...);
      };
      manage_ = [](void* dst, void* src) noexcept {
        if (dst != nullptr) {
          std::memcpy(dst, src, sizeof(D*));  // the pointer moves; the callable stays put
        } else {
          delete *static_cast<D**>(src);
        }
      };
    }
  }

  MoveFunction(MoveFunction&& o) noexcept { MoveFrom(o); }
  MoveFunction& operator=(MoveFunction&& o) noexcept {
    if (this != &o) {
      Reset();
      MoveFrom(o);
    }
    return *this;
  }
  MoveFunction& operator=(std::nullptr_t) noexcept {
    Reset();
    return *this;
  }
  MoveFunction(const MoveFunction&) = delete;
  MoveFunction& operator=(const MoveFunction&) = delete;
  ~MoveFunction() { Reset(); }

  explicit operator bool() const { return invoke_ != nullptr; }
  friend bool operator==(const MoveFunction& f, std::nullptr_t) { return !f; }

  // Calls the callable (as std::function does, through a const call operator).
  R operator()(Args... args) const {
    RMQ_CHECK(invoke_ != nullptr) << "call of an empty MoveFunction";
    return invoke_(storage_, std::forward<Args>(args)...);
  }

 private:
  template <typename D>
  static constexpr bool kFitsInline = sizeof(D) <= kInline &&
                                      alignof(D) <= alignof(std::max_align_t) &&
                                      std::is_nothrow_move_constructible_v<D>;

  void Reset() noexcept {
    if (manage_ != nullptr) manage_(nullptr, storage_);
    invoke_ = nullptr;
    manage_ = nullptr;
  }
  void MoveFrom(MoveFunction& o) noexcept {
    if (o.invoke_ == nullptr) return;
    if (o.manage_ == nullptr) {
      std::memcpy(storage_, o.storage_, kInline);  // trivially copyable: bytes are the object
    } else {
      o.manage_(storage_, o.storage_);
    }
    invoke_ = o.invoke_;
    manage_ = o.manage_;
    o.invoke_ = nullptr;
    o.manage_ = nullptr;
  }

  R (*invoke_)(void*, Args&&...) = nullptr;  // null when empty
  // Moves (dst != null) or destroys the callable; null for trivially copyable inline ones.
  void (*manage_)(void* dst, void* src) noexcept = nullptr;
  alignas(std::max_align_t) mutable unsigned char storage_[kInline];
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_MOVE_FUNCTION_H_
