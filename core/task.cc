#include "core/task.h"

namespace rmqsim::core {

namespace internal {
void PromiseBase::Detach() {
  if (scope == nullptr) return;
  prev->next = next;
  next->prev = prev;
  --scope->live_;
  scope = nullptr;
}
}  // namespace internal

void TaskScope::Spawn(Task<void> task) {
  RMQ_CHECK(!destroying_) << "spawn while the task scope is being destroyed";
  auto h = task.release();
  RMQ_CHECK(h) << "spawning an empty task";
  if (head_.next == nullptr) head_.next = head_.prev = &head_;
  internal::PromiseBase& p = h.promise();
  p.scope = this;
  p.prev = head_.prev;
  p.next = &head_;
  head_.prev->next = &p;
  head_.prev = &p;
  ++live_;
  h.resume();
}

TaskScope::~TaskScope() {
  destroying_ = true;
  if (head_.next == nullptr) return;
  while (head_.next != &head_) {
    internal::PromiseBase* p = head_.next;
    std::coroutine_handle<> h = p->self;
    p->Detach();
    h.destroy();
  }
}

}  // namespace rmqsim::core
