#include "vtl/parse.h"

#include <charconv>
#include <cmath>

namespace portcullis::vtl::detail {

namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool blank(char c) { return c == ' ' || c == '\t'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_directive(std::string_view n) {
  return n == "set" || n == "if" || n == "elseif" || n == "else" || n == "end" ||
         n == "foreach" || n == "break" || n == "stop" || n == "define" || n == "macro";
}

bool is_regex_method(std::string_view n) {
  return n == "replaceAll" || n == "replaceFirst" || n == "matches" || n == "split";
}

}  // namespace

bool is_pure(const Expr& e) {
  switch (e.kind) {
    case Expr::kLiteral:
      return true;
    case Expr::kString:
      return false;
    case Expr::kRef:
      for (const Step& s : e.ref->steps)
        if (s.kind == Step::kMethod || !s.pure_args) return false;
      return true;
    default:
      for (const Expr& i : e.items)
        if (!is_pure(i)) return false;
      return true;
  }
}

namespace {

// What ended a block.
enum class Stop { kEof, kEnd, kElse, kElseif };

class Parser {
 public:
  Parser(std::string_view src, Program& program) : src_(src), end_(src.size()), program_(program) {}

  Result<void> parse_root() {
    Stop stop = PC_TRY(parse_block(program_.root, nullptr, false));
    if (stop == Stop::kEnd) return error_at(last_directive_, "#end without a matching directive");
    if (stop != Stop::kEof) return error_at(last_directive_, "#else or #elseif without #if");
    return {};
  }

 private:
  struct DepthGuard {
    int& d;
    explicit DepthGuard(int& depth) : d(depth) { ++d; }
    ~DepthGuard() { --d; }
  };

  std::unexpected<Error> error_at(size_t at, const std::string& what) const {
    int line = 1, col = 1;
    for (size_t i = 0; i < at && i < src_.size(); ++i) {
      if (src_[i] == '\n') ++line, col = 1;
      else ++col;
    }
    return fail(ErrorCode::kBadRequest,
                "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
  }
  std::unexpected<Error> error(const std::string& what) const { return error_at(pos_, what); }

  Result<void> enter() {
    if (depth_ >= kMaxParseDepth) return error("template nesting is too deep");
    return {};
  }

  void line_col(size_t at, int& line, int& col) const {
    line = 1, col = 1;
    for (size_t i = 0; i < at; ++i) {
      if (src_[i] == '\n') ++line, col = 1;
      else ++col;
    }
  }

  bool at(char c) const { return pos_ < end_ && src_[pos_] == c; }
  bool at2(const char* s) const {
    return pos_ + 1 < end_ && src_[pos_] == s[0] && src_[pos_ + 1] == s[1];
  }
  void skip_space() {
    while (pos_ < end_ && space(src_[pos_])) ++pos_;
  }
  std::string_view ident() {
    size_t s = pos_;
    if (pos_ < end_ && ident_start(src_[pos_])) {
      ++pos_;
      // Velocity takes `-` inside identifiers ($my-var); a trailing `-` stays text.
      while (pos_ < end_ && (ident_char(src_[pos_]) ||
                             (src_[pos_] == '-' && pos_ + 1 < end_ && ident_char(src_[pos_ + 1]))))
        ++pos_;
    }
    return src_.substr(s, pos_ - s);
  }
  std::string_view word() {
    size_t s = pos_;
    while (pos_ < end_ && ident_char(src_[pos_])) ++pos_;
    return src_.substr(s, pos_ - s);
  }
  bool keyword(std::string_view kw) {
    if (src_.substr(pos_, kw.size()) != kw) return false;
    size_t after = pos_ + kw.size();
    if (after < end_ && ident_char(src_[after])) return false;
    pos_ = after;
    return true;
  }

  // The leading blanks of the line holding `hash`, when only blanks precede it; npos otherwise.
  size_t line_lead(size_t hash) const {
    size_t i = hash;
    while (i > 0 && blank(src_[i - 1])) --i;
    if (i == 0 || src_[i - 1] == '\n') return hash - i;
    return std::string::npos;
  }

  // Velocity's rule for a line holding only a directive: the whole line, its newline
  // included, prints nothing.
  void gobble(size_t hash, bool in_string, std::string& text) {
    if (in_string) return;
    size_t lead = line_lead(hash);
    if (lead == std::string::npos) return;
    size_t p = pos_;
    while (p < end_ && blank(src_[p])) ++p;
    if (p < end_ && src_[p] == '\r' && p + 1 < end_ && src_[p + 1] == '\n') p += 2;
    else if (p < end_ && src_[p] == '\n') ++p;
    else if (p < end_) return;
    if (text.size() >= lead) text.resize(text.size() - lead);
    pos_ = p;
  }

  void flush(Block& block, std::string& text) {
    if (text.empty()) return;
    if (!block.empty() && block.back().kind == Node::kText) {
      block.back().text += text;
    } else {
      Node n;
      n.kind = Node::kText;
      n.text = std::move(text);
      block.push_back(std::move(n));
    }
    text.clear();
  }

  // A directive's name after '#', plain or braced (#{else}). Empty when there is none.
  std::string_view directive_name(size_t& after) const {
    size_t p = pos_ + 1;
    bool braced = p < end_ && src_[p] == '{';
    if (braced) ++p;
    size_t s = p;
    if (p >= end_ || !ident_start(src_[p])) return {};
    while (p < end_ && ident_char(src_[p])) ++p;
    std::string_view name = src_.substr(s, p - s);
    if (braced) {
      if (p >= end_ || src_[p] != '}') return {};
      ++p;
    }
    after = p;
    return name;
  }

  Result<Stop> parse_block(Block& block, Expr* elseif_cond, bool in_string) {
    PC_CHECK(enter());
    DepthGuard guard(depth_);
    std::string text;
    while (pos_ < end_) {
      size_t start = pos_;
      while (pos_ < end_ && src_[pos_] != '$' && src_[pos_] != '#' && src_[pos_] != '\\') ++pos_;
      text.append(src_.substr(start, pos_ - start));
      if (pos_ >= end_) break;
      char c = src_[pos_];
      if (c == '\\') {
        size_t n = 0;
        while (pos_ + n < end_ && src_[pos_ + n] == '\\') ++n;
        size_t next = pos_ + n;
        if (next < end_ && src_[next] == '$') {
          pos_ = next;
          auto ref = PC_TRY(parse_ref(true));
          if (ref) {
            flush(block, text);
            Node node;
            node.kind = Node::kRef;
            node.ref = std::move(ref);
            node.backslashes = static_cast<int>(n);
            block.push_back(std::move(node));
          } else {
            text.append(n, '\\');
          }
          continue;
        }
        if (next < end_ && src_[next] == '#') {
          size_t saved = pos_;
          pos_ = next;
          size_t after = 0;
          std::string_view name = directive_name(after);
          if (!name.empty() && (is_directive(name) || (after < end_ && src_[after] == '('))) {
            text.append(n / 2, '\\');
            if (n % 2 == 1) {
              text.append(src_.substr(next, after - next));
              pos_ = after;
            }
            continue;
          }
          pos_ = saved;
        }
        text.append(n, '\\');
        pos_ = next;
        continue;
      }
      if (c == '$') {
        auto ref = PC_TRY(parse_ref(true));
        if (ref) {
          flush(block, text);
          Node node;
          node.kind = Node::kRef;
          node.ref = std::move(ref);
          block.push_back(std::move(node));
        } else {
          text += '$';
          ++pos_;
        }
        continue;
      }
      // '#'
      if (at2("##")) {
        while (pos_ < end_ && src_[pos_] != '\n') ++pos_;
        if (pos_ < end_) ++pos_;
        continue;
      }
      if (at2("#*")) {
        size_t close = src_.find("*#", pos_ + 2);
        if (close == std::string_view::npos || close + 2 > end_)
          return error("unterminated comment #*");
        pos_ = close + 2;
        continue;
      }
      if (src_.substr(pos_, 3) == "#[[") {
        size_t close = src_.find("]]#", pos_ + 3);
        if (close == std::string_view::npos || close + 3 > end_)
          return error("unterminated unparsed block #[[");
        text.append(src_.substr(pos_ + 3, close - pos_ - 3));
        pos_ = close + 3;
        continue;
      }
      size_t hash = pos_, after = 0;
      std::string_view name = directive_name(after);
      if (name.empty()) {
        text += '#';
        ++pos_;
        continue;
      }
      last_directive_ = hash;
      if (name == "end" || name == "else") {
        pos_ = after;
        gobble(hash, in_string, text);
        flush(block, text);
        return name == "end" ? Stop::kEnd : Stop::kElse;
      }
      if (name == "elseif") {
        pos_ = after;
        if (!elseif_cond) return error_at(hash, "#elseif without #if");
        *elseif_cond = PC_TRY(paren_expr("#elseif"));
        gobble(hash, in_string, text);
        flush(block, text);
        return Stop::kElseif;
      }
      if (!is_directive(name)) {
        if (after < end_ && src_[after] == '(') {
          pos_ = after;
          Node node = PC_TRY(macro_call(std::string(name), hash));
          flush(block, text);
          block.push_back(std::move(node));
        } else {
          text.append(src_.substr(hash, after - hash));
          pos_ = after;
        }
        continue;
      }
      pos_ = after;
      Node node;
      line_col(hash, node.line, node.column);
      bool emit = true;
      if (name == "set") {
        PC_CHECK(set_directive(node));
        gobble(hash, in_string, text);
      } else if (name == "if") {
        PC_CHECK(if_directive(node, hash, in_string, text));
      } else if (name == "foreach") {
        PC_CHECK(foreach_directive(node, hash, in_string, text));
      } else if (name == "break" || name == "stop") {
        node.kind = name == "break" ? Node::kBreak : Node::kStop;
        gobble(hash, in_string, text);
      } else if (name == "define") {
        node.kind = Node::kDefine;
        PC_CHECK(expect_open("#define"));
        node.ref = PC_TRY(simple_ref("#define"));
        PC_CHECK(expect_close("#define"));
        gobble(hash, in_string, text);
        flush(block, text);
        node.blocks.emplace_back();
        PC_CHECK(body_until_end(node.blocks.back(), "#define", hash, in_string));
      } else {  // macro
        PC_CHECK(macro_definition(hash, in_string, text));
        emit = false;
      }
      flush(block, text);
      if (emit) block.push_back(std::move(node));
    }
    flush(block, text);
    return Stop::kEof;
  }

  Result<void> body_until_end(Block& body, const char* what, size_t hash, bool in_string) {
    Stop stop = PC_TRY(parse_block(body, nullptr, in_string));
    if (stop == Stop::kEof) return error_at(hash, std::string("missing #end for ") + what);
    if (stop != Stop::kEnd) return error_at(last_directive_, "#else or #elseif without #if");
    return {};
  }

  Result<void> expect_open(const char* what) {
    while (pos_ < end_ && blank(src_[pos_])) ++pos_;
    if (!at('(')) return error(std::string("expected '(' after ") + what);
    ++pos_;
    return {};
  }
  Result<void> expect_close(const char* what) {
    skip_space();
    if (!at(')')) return error(std::string("expected ')' to close ") + what);
    ++pos_;
    return {};
  }

  Result<Expr> paren_expr(const char* what) {
    PC_CHECK(expect_open(what));
    Expr e = PC_TRY(expr());
    PC_CHECK(expect_close(what));
    return e;
  }

  Result<std::shared_ptr<Ref>> simple_ref(const char* what) {
    skip_space();
    if (!at('$')) return error(std::string("expected a reference in ") + what);
    auto ref = PC_TRY(parse_ref(false));
    if (!ref || !ref->steps.empty()) return error(std::string("expected a plain $name in ") + what);
    return ref;
  }

  Result<void> set_directive(Node& node) {
    node.kind = Node::kSet;
    PC_CHECK(expect_open("#set"));
    skip_space();
    if (!at('$')) return error("expected a reference to the left of '=' in #set");
    node.ref = PC_TRY(parse_ref(false));
    if (!node.ref) return error("expected a reference to the left of '=' in #set");
    if (!node.ref->steps.empty() && node.ref->steps.back().kind == Step::kMethod)
      return error("cannot assign to a method call in #set");
    skip_space();
    if (!at('=')) return error("expected '=' in #set");
    ++pos_;
    node.exprs.push_back(PC_TRY(expr()));
    return expect_close("#set");
  }

  Result<void> if_directive(Node& node, size_t hash, bool in_string, std::string& text) {
    node.kind = Node::kIf;
    node.exprs.push_back(PC_TRY(paren_expr("#if")));
    gobble(hash, in_string, text);
    while (true) {
      node.blocks.emplace_back();
      Expr cond;
      Stop stop = PC_TRY(parse_block(node.blocks.back(), &cond, in_string));
      if (stop == Stop::kEof) return error_at(hash, "missing #end for #if");
      if (stop == Stop::kEnd) return {};
      if (stop == Stop::kElseif) {
        if (node.blocks.size() > node.exprs.size())
          return error_at(last_directive_, "#elseif after #else");
        node.exprs.push_back(std::move(cond));
        continue;
      }
      if (node.blocks.size() > node.exprs.size())
        return error_at(last_directive_, "#else after #else");
      node.blocks.emplace_back();
      Stop last = PC_TRY(parse_block(node.blocks.back(), nullptr, in_string));
      if (last == Stop::kEof) return error_at(hash, "missing #end for #if");
      if (last != Stop::kEnd) return error_at(last_directive_, "#else or #elseif after #else");
      return {};
    }
  }

  Result<void> foreach_directive(Node& node, size_t hash, bool in_string, std::string& text) {
    node.kind = Node::kForeach;
    PC_CHECK(expect_open("#foreach"));
    node.ref = PC_TRY(simple_ref("#foreach"));
    skip_space();
    if (!keyword("in")) return error("expected 'in' in #foreach");
    node.exprs.push_back(PC_TRY(expr()));
    PC_CHECK(expect_close("#foreach"));
    gobble(hash, in_string, text);
    node.blocks.emplace_back();
    return body_until_end(node.blocks.back(), "#foreach", hash, in_string);
  }

  Result<void> macro_definition(size_t hash, bool in_string, std::string& text) {
    PC_CHECK(expect_open("#macro"));
    skip_space();
    std::string name(word());
    if (name.empty()) return error("expected a macro name in #macro");
    Macro macro;
    while (true) {
      skip_space();
      if (at(',')) {
        ++pos_;
        continue;
      }
      if (at(')')) break;
      auto ref = PC_TRY(simple_ref("#macro"));
      macro.params.push_back(ref->name);
    }
    ++pos_;
    gobble(hash, in_string, text);
    PC_CHECK(body_until_end(macro.body, "#macro", hash, in_string));
    program_.macros[name] = std::move(macro);
    return {};
  }

  Result<Node> macro_call(std::string name, size_t hash) {
    Node node;
    node.kind = Node::kMacroCall;
    line_col(hash, node.line, node.column);
    node.text = std::move(name);
    ++pos_;  // '('
    while (true) {
      skip_space();
      if (at(',')) {
        ++pos_;
        continue;
      }
      if (at(')')) break;
      if (pos_ >= end_) return error_at(hash, "missing ')' in the call of #" + node.text);
      node.exprs.push_back(PC_TRY(expr()));
    }
    ++pos_;
    node.source = std::string(src_.substr(hash, pos_ - hash));
    return node;
  }

  // A reference at '$'. In text (`in_text`), what does not form one answers nullptr and
  // leaves the position; in an expression the caller has already seen the '$'.
  Result<std::shared_ptr<Ref>> parse_ref(bool in_text) {
    size_t start = pos_;
    size_t p = pos_ + 1;
    auto ref = std::make_shared<Ref>();
    if (p < end_ && src_[p] == '!') ref->quiet = true, ++p;
    bool braced = p < end_ && src_[p] == '{';
    if (braced) ++p;
    if (p >= end_ || !ident_start(src_[p])) {
      if (in_text) return std::shared_ptr<Ref>();
      pos_ = p;
      return error("expected a name after '$'");
    }
    pos_ = p;
    ref->name = std::string(ident());
    line_col(start, ref->line, ref->column);
    PC_CHECK(steps(*ref, in_text));
    if (braced) {
      if (!at('}')) {
        if (in_text) {
          pos_ = start;
          return std::shared_ptr<Ref>();
        }
        return error("expected '}' to close ${");
      }
      ++pos_;
    }
    ref->source = std::string(src_.substr(start, pos_ - start));
    return ref;
  }

  Result<void> steps(Ref& ref, bool in_text) {
    while (pos_ < end_) {
      if (src_[pos_] == '.' && pos_ + 1 < end_ && ident_start(src_[pos_ + 1])) {
        ++pos_;
        Step step;
        step.name = std::string(ident());
        if (at('(')) {
          step.kind = Step::kMethod;
          PC_CHECK(enter());
          DepthGuard guard(depth_);
          ++pos_;
          skip_space();
          while (!at(')')) {
            if (pos_ >= end_) return error("missing ')' in the call of " + step.name);
            step.args.push_back(PC_TRY(expr()));
            skip_space();
            if (at(',')) {
              ++pos_;
              skip_space();
            } else if (!at(')')) {
              return error("expected ',' or ')' in the arguments of " + step.name);
            }
          }
          ++pos_;
          if (is_regex_method(step.name) && !step.args.empty() &&
              step.args[0].kind == Expr::kLiteral && step.args[0].value.string()) {
            auto re = Regex::compile(*step.args[0].value.string());
            if (re) step.regex = *re;  // an invalid one fails when (if ever) it is called
          }
        }
        for (const Expr& a : step.args)
          if (!is_pure(a)) step.pure_args = false;
        ref.steps.push_back(std::move(step));
        continue;
      }
      if (src_[pos_] == '[') {
        size_t saved = pos_;
        ++pos_;
        PC_CHECK(enter());
        DepthGuard guard(depth_);
        auto index = expr();
        if (index) {
          skip_space();
          if (at(']')) {
            ++pos_;
            Step step;
            step.kind = Step::kIndex;
            step.pure_args = is_pure(*index);
            step.args.push_back(std::move(*index));
            ref.steps.push_back(std::move(step));
            continue;
          }
        }
        if (!in_text) return index ? error("expected ']'") : std::unexpected(index.error());
        pos_ = saved;
        return {};
      }
      break;
    }
    return {};
  }

  // Expressions, lowest precedence first.
  Result<Expr> expr() {
    PC_CHECK(enter());
    DepthGuard guard(depth_);
    return binary(0);
  }

  // Operator precedence levels: or, and, equality, relational, additive, multiplicative.
  bool op_at(int level, Expr::Op& op) {
    skip_space();
    auto sym = [&](const char* s, Expr::Op o) {
      size_t n = std::char_traits<char>::length(s);
      if (src_.substr(pos_, n) != s) return false;
      pos_ += n;
      op = o;
      return true;
    };
    auto kw = [&](const char* s, Expr::Op o) {
      if (!keyword(s)) return false;
      op = o;
      return true;
    };
    switch (level) {
      case 0: return sym("||", Expr::kOr) || kw("or", Expr::kOr);
      case 1: return sym("&&", Expr::kAnd) || kw("and", Expr::kAnd);
      case 2:
        return sym("==", Expr::kEq) || sym("!=", Expr::kNe) || kw("eq", Expr::kEq) ||
               kw("ne", Expr::kNe);
      case 3:
        return sym("<=", Expr::kLe) || sym(">=", Expr::kGe) || sym("<", Expr::kLt) ||
               sym(">", Expr::kGt) || kw("lt", Expr::kLt) || kw("gt", Expr::kGt) ||
               kw("le", Expr::kLe) || kw("ge", Expr::kGe);
      case 4: return sym("+", Expr::kAdd) || sym("-", Expr::kSub);
      case 5: return sym("*", Expr::kMul) || sym("/", Expr::kDiv) || sym("%", Expr::kMod);
    }
    return false;
  }

  Result<Expr> binary(int level) {
    if (level == 6) return unary();
    Expr left = PC_TRY(binary(level + 1));
    Expr::Op op;
    while (true) {
      size_t saved = pos_;
      if (!op_at(level, op)) {
        pos_ = saved;
        break;
      }
      Expr right = PC_TRY(binary(level + 1));
      Expr node;
      node.kind = Expr::kBinary;
      node.op = op;
      node.items.push_back(std::move(left));
      node.items.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }

  Result<Expr> unary() {
    PC_CHECK(enter());
    DepthGuard guard(depth_);
    skip_space();
    if ((at('!') && !at2("!=")) || keyword("not")) {
      if (at('!')) ++pos_;
      Expr e;
      e.kind = Expr::kNot;
      e.items.push_back(PC_TRY(unary()));
      return e;
    }
    if (at('-') && !(pos_ + 1 < end_ && digit(src_[pos_ + 1]))) {
      ++pos_;
      Expr e;
      e.kind = Expr::kNeg;
      e.items.push_back(PC_TRY(unary()));
      return e;
    }
    return primary();
  }

  Result<Expr> primary() {
    skip_space();
    if (pos_ >= end_) return error("unexpected end of the template in an expression");
    char c = src_[pos_];
    Expr e;
    if (c == '$') {
      e.kind = Expr::kRef;
      e.ref = PC_TRY(parse_ref(false));
      return e;
    }
    if (digit(c) || c == '-') return number();
    if (c == '"' || c == '\'') return string_literal();
    if (c == '(') {
      ++pos_;
      Expr inner = PC_TRY(expr());
      skip_space();
      if (!at(')')) return error("expected ')'");
      ++pos_;
      return inner;
    }
    if (c == '[') return list_literal();
    if (c == '{') return map_literal();
    if (keyword("true")) return literal(Value(true));
    if (keyword("false")) return literal(Value(false));
    if (keyword("null")) return literal(Value());
    return error("unexpected character '" + std::string(1, c) + "' in an expression");
  }

  static Expr literal(Value v) {
    Expr e;
    e.value = std::move(v);
    return e;
  }

  Result<Expr> number() {
    size_t s = pos_;
    if (at('-')) ++pos_;
    while (pos_ < end_ && digit(src_[pos_])) ++pos_;
    bool dec = pos_ + 1 < end_ && src_[pos_] == '.' && digit(src_[pos_ + 1]);
    if (dec) {
      ++pos_;
      while (pos_ < end_ && digit(src_[pos_])) ++pos_;
    }
    std::string_view text = src_.substr(s, pos_ - s);
    if (!dec) {
      int64_t i = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), i);
      if (r.ec == std::errc()) return literal(Value(i));
    }
    double d = std::strtod(std::string(text).c_str(), nullptr);
    return literal(Value(d));
  }

  Result<Expr> string_literal() {
    char q = src_[pos_];
    size_t open = pos_;
    size_t close = src_.find(q, pos_ + 1);
    if (close == std::string_view::npos || close >= end_)
      return error("unterminated string literal");
    std::string_view body = src_.substr(open + 1, close - open - 1);
    if (q == '\'' || body.find_first_of("$#") == std::string_view::npos) {
      pos_ = close + 1;
      return literal(Value(std::string(body)));
    }
    // Interpolated at render time from a block compiled now.
    Expr e;
    e.kind = Expr::kString;
    e.block = std::make_shared<Block>();
    size_t saved_end = end_;
    end_ = close;
    pos_ = open + 1;
    auto stop = parse_block(*e.block, nullptr, true);
    end_ = saved_end;
    if (!stop) return std::unexpected(stop.error());
    if (*stop != Stop::kEof) return error_at(last_directive_, "unbalanced directive in a string");
    pos_ = close + 1;
    return e;
  }

  Result<Expr> list_literal() {
    PC_CHECK(enter());
    DepthGuard guard(depth_);
    ++pos_;
    Expr e;
    e.kind = Expr::kList;
    skip_space();
    if (at(']')) {
      ++pos_;
      return e;
    }
    e.items.push_back(PC_TRY(expr()));
    skip_space();
    if (at2("..")) {
      pos_ += 2;
      e.kind = Expr::kRange;
      e.items.push_back(PC_TRY(expr()));
      skip_space();
      if (!at(']')) return error("expected ']' to close the range");
      ++pos_;
      return e;
    }
    while (at(',')) {
      ++pos_;
      e.items.push_back(PC_TRY(expr()));
      skip_space();
    }
    if (!at(']')) return error("expected ',' or ']' in the list");
    ++pos_;
    return e;
  }

  Result<Expr> map_literal() {
    PC_CHECK(enter());
    DepthGuard guard(depth_);
    ++pos_;
    Expr e;
    e.kind = Expr::kMap;
    skip_space();
    if (at('}')) {
      ++pos_;
      return e;
    }
    while (true) {
      e.items.push_back(PC_TRY(expr()));
      skip_space();
      if (!at(':')) return error("expected ':' in the map");
      ++pos_;
      e.items.push_back(PC_TRY(expr()));
      skip_space();
      if (at(',')) {
        ++pos_;
        continue;
      }
      if (!at('}')) return error("expected ',' or '}' in the map");
      ++pos_;
      return e;
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
  size_t end_;
  size_t last_directive_ = 0;
  int depth_ = 0;
  Program& program_;
};

}  // namespace

Result<std::shared_ptr<const Program>> parse(std::string_view source) {
  auto program = std::make_shared<Program>();
  Parser parser(source, *program);
  PC_CHECK(parser.parse_root());
  return std::shared_ptr<const Program>(std::move(program));
}

}  // namespace portcullis::vtl::detail
