// Task<T>: the coroutine type simulated Java threads are written in.
//
// The modelled client is blocking Java code: a sync send waits on a latch, a connect blocks its
// thread for up to 3 s. Written as coroutines, the port reads like upstream, and "blocking" means
// suspending until a scheduler event resumes the frame at a later virtual time.
//
// A Task is lazy: nothing runs until it is awaited (`co_await child()`), which starts it and
// resumes the awaiting coroutine, by symmetric transfer, when it finishes. The root of each
// simulated activity is handed to TaskScope::Spawn, which starts it at once and owns the frame
// until it completes; destroying the scope destroys every frame still suspended (a run that hits
// its horizon leaves many), so nothing leaks.
//
// Exceptions: the model never throws. An exception escaping a coroutine is an invariant failure.
//
//   Task<int> Child(Scheduler& s) { co_await Sleep(s, SimDuration::Millis(5)); co_return 42; }
//   Task<void> Root(Scheduler& s) { int v = co_await Child(s); ... }
//   scope.Spawn(Root(sched));
#ifndef RMQSIM_CORE_TASK_H_
#define RMQSIM_CORE_TASK_H_

#include <coroutine>
#include <cstddef>
#include <optional>
#include <utility>

#include "core/check.h"

namespace rmqsim::core {

class TaskScope;

namespace internal {

// Coroutine frames come from per-size free lists (task.cc): a run allocates and frees millions of
// frames of a few dozen sizes, most too large for malloc's per-thread cache. Memory is reused,
// never returned before the thread ends; behaviour does not depend on addresses.
void* AllocateFrame(std::size_t n);
void FreeFrame(void* p, std::size_t n) noexcept;

struct PromiseBase {
  static void* operator new(std::size_t n) { return AllocateFrame(n); }
  static void operator delete(void* p, std::size_t n) noexcept { FreeFrame(p, n); }

  std::coroutine_handle<> continuation;
  // Set for a root task owned by a TaskScope; the frame then frees itself at completion.
  TaskScope* scope = nullptr;
  PromiseBase* prev = nullptr;  // TaskScope's intrusive list of live roots
  PromiseBase* next = nullptr;
  std::coroutine_handle<> self;

  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { RMQ_FAIL() << "exception escaped a simulated thread"; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      PromiseBase& p = h.promise();
      if (p.scope != nullptr) {
        p.Detach();
        h.destroy();
        return std::noop_coroutine();
      }
      return p.continuation ? p.continuation : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void Detach();  // defined in task.cc: unlinks from the scope
};

template <typename T>
struct Promise : PromiseBase {
  std::optional<T> value;
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct Promise<void> : PromiseBase {
  void return_void() {}
};

}  // namespace internal

template <typename T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : internal::Promise<T> {
    Task get_return_object() {
      auto h = std::coroutine_handle<promise_type>::from_promise(*this);
      this->self = h;
      return Task(h);
    }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }

  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle h;
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h.promise().continuation = awaiting;
        return h;
      }
      T await_resume() {
        if constexpr (!std::is_void_v<T>) return std::move(*h.promise().value);
      }
    };
    return Awaiter{h_};
  }

 private:
  friend class TaskScope;
  explicit Task(Handle h) : h_(h) {}
  Handle release() { return std::exchange(h_, {}); }
  Handle h_;
};

// Owns the root frames of simulated activities. Not copyable; destroy it before the Scheduler's
// pending events could resume any frame (in practice: never run the scheduler again after).
class TaskScope {
 public:
  TaskScope() = default;
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;
  ~TaskScope();

  // Starts `task` now (it runs until its first suspension before Spawn returns).
  void Spawn(Task<void> task);
  // Root tasks started and not yet finished.
  size_t live() const { return live_; }

 private:
  friend struct internal::PromiseBase;
  internal::PromiseBase head_;  // sentinel of a circular list
  size_t live_ = 0;
  bool destroying_ = false;
};

}  // namespace rmqsim::core

#endif  // RMQSIM_CORE_TASK_H_
