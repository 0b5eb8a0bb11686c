#include "vtl/render.h"

#include <boost/container/small_vector.hpp>
#include <chrono>
#include <cmath>
#include <optional>

#include "vtl/methods.h"
#include "vtl/parse.h"
#include "vtl/print.h"

namespace portcullis::vtl::detail {

namespace {

using Clock = std::chrono::steady_clock;
using ArgList = boost::container::small_vector<Value, 4>;

enum class Flow { kNormal, kBreak, kStop };

std::unexpected<Error> limit(const char* what) {
  return fail(ErrorCode::kBadRequest, std::string("template rendering exceeded ") + what);
}

// `$foreach` inside a loop: index, count, hasNext, first, last, parent.
class ForeachScope : public Object {
 public:
  int64_t index = 0;
  bool has_next = false;
  Value parent;

  std::optional<Value> property(std::string_view name) override {
    if (name == "index") return Value(index);
    if (name == "count") return Value(index + 1);
    if (name == "hasNext") return Value(has_next);
    if (name == "first") return Value(index == 0);
    if (name == "last") return Value(!has_next);
    if (name == "parent") return parent;
    return std::nullopt;
  }
  std::optional<Result<Value>> call(std::string_view name, std::span<const Value> args) override {
    if (!args.empty()) return std::nullopt;
    std::string_view prop = name;
    if (name.starts_with("get")) prop = name.substr(3);
    else if (name.starts_with("is")) prop = name.substr(2);
    std::string lowered(prop);
    if (!lowered.empty() && lowered[0] >= 'A' && lowered[0] <= 'Z') lowered[0] += 32;
    auto v = property(name == "hasNext" ? std::string_view("hasNext") : lowered);
    if (!v) return std::nullopt;
    return Result<Value>(std::move(*v));
  }
};

// `#define($x)…#end`: `$x` renders the block where it is referenced.
class DefinedBlock : public Object {
 public:
  explicit DefinedBlock(const Block* block) : block(block) {}
  const Block* block;
};

struct Saved {
  std::string name;
  std::optional<Value> value;
};

class Renderer {
 public:
  Renderer(const Program& program, Variables& vars, const Options& options, std::string& out)
      : program_(program),
        vars_(vars),
        options_(options),
        limits_(options.limits),
        out_(&out),
        deadline_(Clock::now() + options.limits.budget),
        max_alloc_(std::max<size_t>(options.limits.max_output * 8, 64u << 20)),
        env_{regexes_, options.limits.max_output, allocated_, max_alloc_} {}

  Result<Flow> block(const Block& nodes) {
    for (const Node& node : nodes) {
      Flow flow = PC_TRY(render_node(node));
      if (flow != Flow::kNormal) return flow;
    }
    return Flow::kNormal;
  }

 private:
  bool empty_nulls() const { return options_.nulls == NullStyle::kEmpty; }

  Result<void> check_output() {
    if (out_->size() > limits_.max_output) return limit("the output size limit");
    return {};
  }

  Result<void> tick() {
    if ((++ticks_ & 31) == 0 && Clock::now() > deadline_) return limit("its time budget");
    return {};
  }

  Result<void> charge(size_t bytes) {
    allocated_ += bytes;
    if (bytes > limits_.max_output || allocated_ > max_alloc_) return limit("the memory limit");
    return {};
  }

  Result<Flow> render_node(const Node& node) {
    switch (node.kind) {
      case Node::kText:
        out_->append(node.text);
        PC_CHECK(check_output());
        return Flow::kNormal;
      case Node::kRef:
        PC_CHECK(print_ref(*node.ref, node.backslashes));
        PC_CHECK(check_output());
        return Flow::kNormal;
      case Node::kSet:
        PC_CHECK(set(node));
        return Flow::kNormal;
      case Node::kIf:
        for (size_t i = 0; i < node.exprs.size(); ++i) {
          Value tmp;
          const Value* cond = PC_TRY(eval_ptr(node.exprs[i], tmp));
          if (truthy(cond)) return block(node.blocks[i]);
        }
        if (node.blocks.size() > node.exprs.size()) return block(node.blocks.back());
        return Flow::kNormal;
      case Node::kForeach:
        return foreach(node);
      case Node::kBreak:
        return Flow::kBreak;
      case Node::kStop:
        return Flow::kStop;
      case Node::kDefine:
        assign(node.ref->name, Value(std::shared_ptr<Object>(
                                   std::make_shared<DefinedBlock>(&node.blocks[0]))));
        return Flow::kNormal;
      case Node::kMacroCall:
        return call_macro(node);
    }
    return Flow::kNormal;
  }

  static bool truthy(const Value* v) {
    if (!v || v->is_null()) return false;
    if (const bool* b = v->boolean()) return *b;
    return true;
  }

  void assign(std::string_view name, Value v) {
    if (Value* slot = vars_.find(name)) *slot = std::move(v);
    else vars_.set(std::string(name), std::move(v));
  }

  void restore(Saved& saved) {
    if (saved.value) assign(saved.name, std::move(*saved.value));
    else vars_.erase(saved.name);
  }

  Saved save(std::string_view name) {
    Saved s{std::string(name), std::nullopt};
    if (const Value* v = vars_.find(name)) s.value = *v;
    return s;
  }

  // Prints a value where a reference stands (strings raw, the rest as Java prints it).
  Result<void> print_value(const Value& v) {
    if (const std::string* s = v.string()) {
      out_->append(*s);
      return check_output();
    }
    if (Object* o = v.object()) {
      if (auto* defined = dynamic_cast<DefinedBlock*>(o)) {
        if (depth_ >= limits_.max_depth) return limit("the maximum nesting depth");
        ++depth_;
        auto flow = block(*defined->block);
        --depth_;
        if (!flow) return std::unexpected(flow.error());
        return {};
      }
    }
    if (!append_java(*out_, v, limits_.max_output)) return limit("the output size limit");
    return {};
  }

  Result<void> print_ref(const Ref& ref, int backslashes) {
    Value tmp;
    const Value* v = PC_TRY(resolve(ref, tmp));
    bool null = !v || v->is_null();
    if (backslashes > 0) {
      // Velocity: escapes count only before a reference that has a value.
      if (null) {
        out_->append(backslashes, '\\');
      } else {
        out_->append(backslashes / 2, '\\');
        if (backslashes % 2 == 1) {
          out_->append(ref.source);
          return {};
        }
      }
    }
    if (null) {
      if (!ref.quiet && !empty_nulls()) out_->append(ref.source);
      return {};
    }
    return print_value(*v);
  }

  // The value of `ref`: a pointer into the variables or into `tmp`; nullptr when unresolved.
  Result<const Value*> resolve(const Ref& ref, Value& tmp, size_t steps) {
    const Value* cur = vars_.find(ref.name);
    for (size_t i = 0; i < steps; ++i) {
      if (!cur || cur->is_null()) return nullptr;
      const Step& step = ref.steps[i];
      switch (step.kind) {
        case Step::kProperty:
          if (Map* m = cur->map()) {
            cur = m->find(step.name);
          } else if (Object* o = cur->object()) {
            auto v = o->property(step.name);
            if (!v) return nullptr;
            tmp = std::move(*v);
            cur = &tmp;
          } else {
            return nullptr;
          }
          break;
        case Step::kIndex: {
          Value hold;
          if (!step.pure_args) hold = *cur, cur = &hold;
          Value itmp;
          const Value* index = PC_TRY(eval_ptr(step.args[0], itmp));
          if (!index) return nullptr;
          const Value* next = nullptr;
          if (List* l = cur->list()) {
            if (const int64_t* n = index->integer())
              if (*n >= 0 && static_cast<size_t>(*n) < l->items.size()) next = &l->items[*n];
          } else if (Map* m = cur->map()) {
            if (const std::string* k = index->string()) next = m->find(*k);
          } else if (Object* o = cur->object()) {
            std::optional<Value> v;
            if (const std::string* k = index->string()) {
              v = o->property(*k);
            } else {
              auto r = o->call("get", std::span<const Value>(index, 1));
              if (r) {
                if (!*r) return std::unexpected(r->error());
                v = std::move(**r);
              }
            }
            if (!v) return nullptr;
            Value moved = std::move(*v);
            tmp = std::move(moved);
            next = &tmp;
          }
          if (next && next != &tmp && !step.pure_args) {
            // `hold` owns the container; keep the element past it.
            tmp = *next;
            next = &tmp;
          }
          cur = next;
          break;
        }
        case Step::kMethod: {
          Value hold;
          if (!step.pure_args) hold = *cur, cur = &hold;
          ArgList args;
          for (const Expr& a : step.args) args.push_back(PC_TRY(eval(a)));
          auto r = PC_TRY(call_method(env_, *cur, step.name, args, step.regex.get()));
          if (!r) return nullptr;
          tmp = std::move(*r);
          cur = &tmp;
          break;
        }
      }
    }
    return cur;
  }

  Result<const Value*> resolve(const Ref& ref, Value& tmp) {
    return resolve(ref, tmp, ref.steps.size());
  }

  Result<void> set(const Node& node) {
    Value v = PC_TRY(eval(node.exprs[0]));
    // Velocity 1.7: a null right-hand side leaves the left-hand side as it was.
    if (v.is_null()) return {};
    const Ref& ref = *node.ref;
    if (ref.steps.empty()) {
      assign(ref.name, std::move(v));
      return {};
    }
    Value tmp;
    const Value* target = PC_TRY(resolve(ref, tmp, ref.steps.size() - 1));
    if (!target) return {};
    const Step& last = ref.steps.back();
    if (last.kind == Step::kProperty) {
      if (Map* m = target->map()) {
        if (!m->find(last.name)) PC_CHECK(charge(32 + last.name.size()));
        m->put(last.name, std::move(v));
      } else if (Object* o = target->object()) {
        o->set_property(last.name, v);
      }
      return {};
    }
    Value itmp;
    const Value* index = PC_TRY(eval_ptr(last.args[0], itmp));
    if (!index) return {};
    if (Map* m = target->map()) {
      std::string key = index->string() ? *index->string() : to_java_string(*index);
      if (!m->find(key)) PC_CHECK(charge(32 + key.size()));
      m->put(std::move(key), std::move(v));
    } else if (List* l = target->list()) {
      if (const int64_t* n = index->integer())
        if (*n >= 0 && static_cast<size_t>(*n) < l->items.size()) l->items[*n] = std::move(v);
    } else if (Object* o = target->object()) {
      if (const std::string* k = index->string()) o->set_property(*k, v);
    }
    return {};
  }

  Result<Flow> foreach(const Node& node) {
    const Expr& source = node.exprs[0];
    const std::string& var = node.ref->name;
    // What is iterated: a range without building its list, a list, or a map's values.
    int64_t lo = 0, hi = 0;
    bool range = false;
    Value coll;
    if (source.kind == Expr::kRange) {
      Value a = PC_TRY(eval(source.items[0])), b = PC_TRY(eval(source.items[1]));
      if (!a.integer() || !b.integer()) return Flow::kNormal;
      lo = *a.integer(), hi = *b.integer();
      range = true;
    } else {
      coll = PC_TRY(eval(source));
      if (!coll.list() && !coll.map()) return Flow::kNormal;
    }
    Saved saved_var = save(var), saved_scope = save("foreach"), saved_count = save("velocityCount");
    auto scope = std::make_shared<ForeachScope>();
    if (saved_scope.value) scope->parent = *saved_scope.value;
    assign("foreach", Value(std::shared_ptr<Object>(scope)));
    Flow result = Flow::kNormal;
    Result<void> failure;
    for (size_t i = 0;; ++i) {
      size_t size;
      Value item;
      if (range) {
        uint64_t span = lo <= hi ? static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo)
                                 : static_cast<uint64_t>(lo) - static_cast<uint64_t>(hi);
        size = span >= SIZE_MAX - 1 ? SIZE_MAX - 1 : span + 1;
        if (i >= size) break;
        item = Value(lo <= hi ? lo + static_cast<int64_t>(i) : lo - static_cast<int64_t>(i));
      } else if (List* l = coll.list()) {
        size = l->items.size();
        if (i >= size) break;
        item = l->items[i];
      } else {
        Map* m = coll.map();
        size = m->entries.size();
        if (i >= size) break;
        item = m->entries[i].second;
      }
      // AWS and Velocity's maxloops: the loop ends quietly at the bound.
      if (i >= limits_.max_foreach) break;
      if (auto t = tick(); !t) {
        failure = t;
        break;
      }
      assign(var, std::move(item));
      scope->index = static_cast<int64_t>(i);
      scope->has_next = i + 1 < size && i + 1 < limits_.max_foreach;
      assign("velocityCount", Value(static_cast<int64_t>(i + 1)));
      auto flow = block(node.blocks[0]);
      if (!flow) {
        failure = std::unexpected(flow.error());
        break;
      }
      if (*flow == Flow::kBreak) break;
      if (*flow == Flow::kStop) {
        result = Flow::kStop;
        break;
      }
    }
    restore(saved_var);
    restore(saved_scope);
    restore(saved_count);
    if (!failure) return std::unexpected(failure.error());
    return result;
  }

  Result<Flow> call_macro(const Node& node) {
    auto it = program_.macros.find(node.text);
    if (it == program_.macros.end()) {
      // No such macro: Velocity prints the call as written.
      out_->append(node.source);
      PC_CHECK(check_output());
      return Flow::kNormal;
    }
    const Macro& macro = it->second;
    if (depth_ >= limits_.max_depth) return limit("the maximum nesting depth");
    PC_CHECK(tick());
    if (Clock::now() > deadline_) return limit("its time budget");
    ArgList args;
    for (const Expr& a : node.exprs) args.push_back(PC_TRY(eval(a)));
    std::vector<Saved> saved;
    saved.reserve(macro.params.size());
    for (size_t i = 0; i < macro.params.size(); ++i) {
      saved.push_back(save(macro.params[i]));
      if (i < args.size() && !args[i].is_null()) assign(macro.params[i], std::move(args[i]));
      else vars_.erase(macro.params[i]);
    }
    ++depth_;
    auto flow = block(macro.body);
    --depth_;
    for (auto& s : saved) restore(s);
    if (!flow) return std::unexpected(flow.error());
    return *flow == Flow::kStop ? Flow::kStop : Flow::kNormal;
  }

  // Expressions. eval_ptr avoids copying what already exists (a variable, a literal).
  Result<const Value*> eval_ptr(const Expr& e, Value& tmp) {
    if (e.kind == Expr::kLiteral) return &e.value;
    if (e.kind == Expr::kRef) return resolve(*e.ref, tmp);
    tmp = PC_TRY(eval(e));
    return &tmp;
  }

  Result<Value> eval(const Expr& e) {
    switch (e.kind) {
      case Expr::kLiteral:
        return e.value;
      case Expr::kRef: {
        Value tmp;
        const Value* v = PC_TRY(resolve(*e.ref, tmp));
        if (!v) return Value();
        if (v == &tmp) return Value(std::move(tmp));
        return *v;
      }
      case Expr::kString: {
        if (depth_ >= limits_.max_depth) return limit("the maximum nesting depth");
        std::string text;
        std::string* outer = out_;
        out_ = &text;
        ++depth_;
        auto flow = block(*e.block);
        --depth_;
        out_ = outer;
        if (!flow) return std::unexpected(flow.error());
        PC_CHECK(charge(text.size()));
        return Value(std::move(text));
      }
      case Expr::kList: {
        PC_CHECK(charge(32 * e.items.size()));
        auto list = make_list();
        list->items.reserve(e.items.size());
        for (const Expr& item : e.items) list->items.push_back(PC_TRY(eval(item)));
        return Value(std::move(list));
      }
      case Expr::kMap: {
        PC_CHECK(charge(32 * e.items.size()));
        auto map = make_map();
        for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
          Value k = PC_TRY(eval(e.items[i]));
          Value v = PC_TRY(eval(e.items[i + 1]));
          map->put(k.string() ? *k.string() : to_java_string(k), std::move(v));
        }
        return Value(std::move(map));
      }
      case Expr::kRange: {
        Value a = PC_TRY(eval(e.items[0])), b = PC_TRY(eval(e.items[1]));
        if (!a.integer() || !b.integer()) return Value();
        int64_t lo = *a.integer(), hi = *b.integer();
        long double count = std::fabs(static_cast<long double>(hi) - lo) + 1;
        if (count * 32 > static_cast<long double>(max_alloc_)) return limit("the memory limit");
        PC_CHECK(charge(static_cast<size_t>(count) * 32));
        auto list = make_list();
        list->items.reserve(static_cast<size_t>(count));
        for (int64_t i = lo;; i += lo <= hi ? 1 : -1) {
          list->items.emplace_back(i);
          if (i == hi) break;
        }
        return Value(std::move(list));
      }
      case Expr::kNot: {
        Value tmp;
        const Value* v = PC_TRY(eval_ptr(e.items[0], tmp));
        return Value(!truthy(v));
      }
      case Expr::kNeg: {
        Value v = PC_TRY(eval(e.items[0]));
        if (const int64_t* i = v.integer()) {
          if (*i == INT64_MIN) return Value(-static_cast<double>(*i));
          return Value(-*i);
        }
        if (const double* d = v.decimal()) return Value(-*d);
        return Value();
      }
      case Expr::kBinary:
        return binary(e);
    }
    return Value();
  }

  // The text a null operand of string concatenation contributes (Velocity: its source).
  std::string null_text(const Expr& e) {
    if (empty_nulls()) return {};
    if (e.kind == Expr::kRef) return e.ref->source;
    return "null";
  }

  bool equal(const Value* a, const Value* b) {
    bool an = !a || a->is_null(), bn = !b || b->is_null();
    if (an || bn) {
      if (an && bn) return true;
      // AWS: a null value equals "" (research §1.2).
      const Value* other = an ? b : a;
      return empty_nulls() && other->string() && other->string()->empty();
    }
    if ((a->integer() || a->decimal()) && (b->integer() || b->decimal())) {
      if (a->integer() && b->integer()) return *a->integer() == *b->integer();
      double x = a->integer() ? static_cast<double>(*a->integer()) : *a->decimal();
      double y = b->integer() ? static_cast<double>(*b->integer()) : *b->decimal();
      return x == y;
    }
    if (a->string() && b->string()) return *a->string() == *b->string();
    if (java_equals(*a, *b)) return true;
    // Velocity 1.7 compares values of different classes by their toString().
    bool same_kind = (a->boolean() && b->boolean()) || (a->list() && b->list()) ||
                     (a->map() && b->map());
    if (same_kind) return false;
    std::string x, y;
    if (!append_java(x, *a, limits_.max_output) || !append_java(y, *b, limits_.max_output))
      return false;
    return x == y;
  }

  Result<Value> binary(const Expr& e) {
    Value ta, tb;
    if (e.op == Expr::kAnd || e.op == Expr::kOr) {
      bool left = truthy(PC_TRY(eval_ptr(e.items[0], ta)));
      if (e.op == Expr::kAnd && !left) return Value(false);
      if (e.op == Expr::kOr && left) return Value(true);
      return Value(truthy(PC_TRY(eval_ptr(e.items[1], tb))));
    }
    const Value* a = PC_TRY(eval_ptr(e.items[0], ta));
    // The left operand may live in a container the right one changes: own it first.
    if (a && a != &ta && !is_pure(e.items[1])) {
      ta = *a;
      a = &ta;
    }
    const Value* b = PC_TRY(eval_ptr(e.items[1], tb));
    switch (e.op) {
      case Expr::kEq: return Value(equal(a, b));
      case Expr::kNe: return Value(!equal(a, b));
      default: break;
    }
    bool an = !a || a->is_null(), bn = !b || b->is_null();
    if (e.op == Expr::kAdd && ((!an && a->string()) || (!bn && b->string()))) {
      std::string out;
      if (an) out = null_text(e.items[0]);
      else if (!append_java(out, *a, limits_.max_output)) return limit("the output size limit");
      if (bn) out += null_text(e.items[1]);
      else if (!append_java(out, *b, limits_.max_output)) return limit("the output size limit");
      PC_CHECK(charge(out.size()));
      return Value(std::move(out));
    }
    if (an || bn) return e.op >= Expr::kLt ? Value(false) : Value();
    bool ai = a->integer(), bi = b->integer();
    if (!(ai || a->decimal()) || !(bi || b->decimal()))
      return e.op >= Expr::kLt ? Value(false) : Value();
    double x = ai ? static_cast<double>(*a->integer()) : *a->decimal();
    double y = bi ? static_cast<double>(*b->integer()) : *b->decimal();
    if (e.op >= Expr::kLt) {
      if (ai && bi) {
        int64_t p = *a->integer(), q = *b->integer();
        switch (e.op) {
          case Expr::kLt: return Value(p < q);
          case Expr::kGt: return Value(p > q);
          case Expr::kLe: return Value(p <= q);
          default: return Value(p >= q);
        }
      }
      switch (e.op) {
        case Expr::kLt: return Value(x < y);
        case Expr::kGt: return Value(x > y);
        case Expr::kLe: return Value(x <= y);
        default: return Value(x >= y);
      }
    }
    if ((e.op == Expr::kDiv || e.op == Expr::kMod) && y == 0) return Value();  // Velocity: null
    if (ai && bi) {
      int64_t p = *a->integer(), q = *b->integer(), r;
      switch (e.op) {
        case Expr::kAdd:
          if (!__builtin_add_overflow(p, q, &r)) return Value(r);
          return Value(x + y);
        case Expr::kSub:
          if (!__builtin_sub_overflow(p, q, &r)) return Value(r);
          return Value(x - y);
        case Expr::kMul:
          if (!__builtin_mul_overflow(p, q, &r)) return Value(r);
          return Value(x * y);
        case Expr::kDiv:
          if (p == INT64_MIN && q == -1) return Value(-x);
          return Value(p / q);
        default:
          if (q == -1) return Value(int64_t{0});
          return Value(p % q);
      }
    }
    switch (e.op) {
      case Expr::kAdd: return Value(x + y);
      case Expr::kSub: return Value(x - y);
      case Expr::kMul: return Value(x * y);
      case Expr::kDiv: return Value(x / y);
      default: return Value(std::fmod(x, y));
    }
  }

  const Program& program_;
  Variables& vars_;
  const Options& options_;
  const Limits& limits_;
  std::string* out_;
  Clock::time_point deadline_;
  uint64_t ticks_ = 0;
  size_t depth_ = 0;
  size_t allocated_ = 0;
  size_t max_alloc_;
  RegexCache regexes_;
  MethodEnv env_;
};

}  // namespace

Result<std::string> render(const Program& program, Variables& vars, const Options& options) {
  std::string out;
  out.reserve(256);
  Renderer renderer(program, vars, options, out);
  PC_TRY(renderer.block(program.root));
  return out;
}

}  // namespace portcullis::vtl::detail
