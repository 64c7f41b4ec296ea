#include "core/task.h"

namespace rmqsim::core {

namespace internal {
namespace {

constexpr std::size_t kFrameGrain = 64;
constexpr std::size_t kFrameClasses = 64;  // frames up to 4 KiB; larger ones go to operator new

struct FreeFrameNode {
  FreeFrameNode* next;
};

// Per thread (tests may run worlds on several threads); the lists free their blocks at thread exit.
struct FramePool {
  FreeFrameNode* free[kFrameClasses] = {};
  ~FramePool() {
    for (FreeFrameNode*& head : free) {
      while (head != nullptr) {
        FreeFrameNode* n = head;
        head = n->next;
        ::operator delete(n);
      }
    }
  }
};
thread_local FramePool frame_pool;

std::size_t FrameClass(std::size_t n) { return (n + kFrameGrain - 1) / kFrameGrain; }

}  // namespace

void* AllocateFrame(std::size_t n) {
  std::size_t c = FrameClass(n);
  if (c >= kFrameClasses) return ::operator new(n);
  FreeFrameNode*& head = frame_pool.free[c];
  if (head == nullptr) return ::operator new(c * kFrameGrain);
  FreeFrameNode* node = head;
  head = node->next;
  return node;
}

void FreeFrame(void* p, std::size_t n) noexcept {
  std::size_t c = FrameClass(n);
  if (c >= kFrameClasses) {
    ::operator delete(p);
    return;
  }
  FreeFrameNode* node = static_cast<FreeFrameNode*>(p);
  node->next = frame_pool.free[c];
  frame_pool.free[c] = node;
}

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
