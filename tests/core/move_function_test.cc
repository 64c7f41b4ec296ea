#include "core/move_function.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>

namespace rmqsim::core {
namespace {

TEST_CASE("MoveFunction calls small and large callables and moves them without copying",
          "[core][move_function]") {
  // Small: stored in place. Large (more than the 48 inline bytes): on the heap, and a move hands
  // over the pointer, so the callable's address stays the same.
  auto counter = std::make_shared<int>(0);
  MoveFunction<int(int)> small = [counter](int x) { return *counter += x; };
  CHECK(small(2) == 2);
  CHECK(small(3) == 5);

  struct Big {
    std::string a = "a string past the small-string buffer";
    std::string b = "b";
    const Big* self() const { return this; }
  };
  MoveFunction<const void*(int)> large = [big = Big()](int) -> const void* { return big.self(); };
  const void* before = large(0);
  MoveFunction<const void*(int)> moved = std::move(large);
  CHECK(!large);  // NOLINT(bugprone-use-after-move): a moved-from function is empty
  CHECK(moved(0) == before);

  // Move-only captures work; destruction releases them.
  auto owned = std::make_unique<int>(7);
  std::weak_ptr<int> watch = counter;
  {
    MoveFunction<int()> f = [p = std::move(owned), counter] { return *p + *counter; };
    small = nullptr;
    CHECK(f() == 12);
    CHECK(counter.use_count() == 2);
  }
  CHECK(counter.use_count() == 1);
  CHECK(!small);
  CHECK(small == nullptr);
}

TEST_CASE("MoveFunction forwards reference and move-only arguments", "[core][move_function]") {
  MoveFunction<void(std::string&, std::unique_ptr<int>)> f = [](std::string& out,
                                                                std::unique_ptr<int> v) {
    out += std::to_string(*v);
  };
  std::string out = "v=";
  f(out, std::make_unique<int>(42));
  CHECK(out == "v=42");
}

}  // namespace
}  // namespace rmqsim::core
