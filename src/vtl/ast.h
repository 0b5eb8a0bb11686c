// The compiled form of a template: an immutable tree the parser builds once and every rendering
// walks. Nothing in it changes after Template::compile, so renderings share it across threads.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "vtl/regex.h"
#include "vtl/value.h"

namespace portcullis::vtl::detail {

struct Expr;
struct Node;
using Block = std::vector<Node>;

// One `.name`, `.name(args)` or `[expr]` after a reference's root.
struct Step {
  enum Kind { kProperty, kMethod, kIndex } kind = kProperty;
  std::string name;
  std::vector<Expr> args;  // the method's arguments, or the one index expression
  // The method's first argument compiled as a regex when it is a literal (replaceAll, split…).
  std::shared_ptr<const Regex> regex;
  bool pure_args = true;  // no argument can change a value (no method calls inside)
};

// `$name.steps…`, `${…}`, `$!…`.
struct Ref {
  std::string name;
  std::vector<Step> steps;
  bool quiet = false;
  std::string source;  // the reference as written, printed when unresolved in Velocity style
  int line = 0, column = 0;
};

struct Expr {
  enum Kind {
    kLiteral,   // value
    kString,    // interpolated "…": block
    kRef,       // ref
    kList,      // items
    kMap,       // items: key, value, key, value…
    kRange,     // items[0] .. items[1]
    kNot,       // items[0]
    kNeg,       // items[0]
    kBinary,    // items[0] op items[1]
  } kind = kLiteral;
  enum Op { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kGt, kLe, kGe, kAnd, kOr } op = kAdd;
  Value value;
  std::shared_ptr<Block> block;
  std::shared_ptr<Ref> ref;
  std::vector<Expr> items;
};

struct Node {
  enum Kind {
    kText,       // text
    kRef,        // ref (printed)
    kSet,        // ref = exprs[0]
    kIf,         // exprs[i] guards blocks[i]; blocks.size() > exprs.size() means an #else
    kForeach,    // #foreach(ref in exprs[0]) blocks[0]
    kBreak,
    kStop,
    kDefine,     // #define(ref) blocks[0]
    kMacroCall,  // #text(exprs…); text printed as is when no macro has the name
  } kind = kText;
  std::string text;
  std::string source;  // a macro call as written
  std::shared_ptr<Ref> ref;
  std::vector<Expr> exprs;
  std::vector<Block> blocks;
  int line = 0, column = 0;
  int backslashes = 0;  // backslashes written before a reference (Velocity's escaping)
};

struct Macro {
  std::vector<std::string> params;
  Block body;
};

struct Program {
  Block root;
  std::unordered_map<std::string, Macro> macros;
};

}  // namespace portcullis::vtl::detail
