// Syntax errors, the limits of one rendering, and concurrent renderings of one template.
#include <gtest/gtest.h>

#include <thread>

#include "vtl_test_util.h"

namespace portcullis::vtl {
namespace {

using testing::render;

std::string compile_error(std::string_view source) {
  auto t = Template::compile(source);
  if (t) return "compiled";
  EXPECT_EQ(t.error().code, ErrorCode::kBadRequest);
  return t.error().message;
}

TEST(VtlSyntax, ErrorsNameLineAndColumn) {
  EXPECT_EQ(compile_error("a\n  #if($x)b"), "line 2, column 3: missing #end for #if");
  EXPECT_EQ(compile_error("#foreach($i in [1])x"), "line 1, column 1: missing #end for #foreach");
  EXPECT_EQ(compile_error("x #end"), "line 1, column 3: #end without a matching directive");
  EXPECT_EQ(compile_error("#else"), "line 1, column 1: #else or #elseif without #if");
  EXPECT_EQ(compile_error("#if(true)#else#else#end"), "line 1, column 15: #else or #elseif after #else");
  EXPECT_EQ(compile_error("#set($x 1)"), "line 1, column 9: expected '=' in #set");
  EXPECT_EQ(compile_error("#set($x = )"), "line 1, column 11: unexpected character ')' in an expression");
  EXPECT_EQ(compile_error("#set($x = 'abc)"), "line 1, column 11: unterminated string literal");
  EXPECT_EQ(compile_error("#set($x.m() = 1)"), "line 1, column 12: cannot assign to a method call in #set");
  EXPECT_EQ(compile_error("#if($x"), "line 1, column 7: expected ')' to close #if");
  EXPECT_EQ(compile_error("#foreach($i of $l)#end"), "line 1, column 13: expected 'in' in #foreach");
  EXPECT_EQ(compile_error("ab\n#* never closed"), "line 2, column 1: unterminated comment #*");
  EXPECT_EQ(compile_error("#[[ raw"), "line 1, column 1: unterminated unparsed block #[[");
  EXPECT_EQ(compile_error("$x.foo(1"), "line 1, column 9: expected ',' or ')' in the arguments of foo");
  EXPECT_EQ(compile_error("#set($m = {'a' 1})"), "line 1, column 16: expected ':' in the map");
  EXPECT_EQ(compile_error("#set($l = [1, 2)"), "line 1, column 16: expected ',' or ']' in the list");
  EXPECT_EQ(compile_error("#set($s = \"#if(true)\")"), "line 1, column 12: missing #end for #if");
}

TEST(VtlSyntax, DeepNestingIsAnErrorNotACrash) {
  EXPECT_EQ(compile_error("#set($x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + ")")
                .substr(0, 9),
            "line 1, c");
  std::string ifs;
  for (int i = 0; i < 100000; ++i) ifs += "#if(true)";
  EXPECT_NE(compile_error(ifs).find("template nesting is too deep"), std::string::npos);
  EXPECT_NE(compile_error("#set($x = " + std::string(100000, '[') + ")").find("too deep"), std::string::npos);
  EXPECT_NE(compile_error("#set($x = " + std::string(100000, '!') + "true)").find("too deep"),
            std::string::npos);
  EXPECT_NE(compile_error("$a" + std::string(100000, '[')).find("compiled"), std::string::npos);
  // Moderate nesting compiles.
  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "#if(true)";
  ok += "x";
  for (int i = 0; i < 50; ++i) ok += "#end";
  EXPECT_EQ(render(ok), "x");
}

TEST(VtlLimits, ForeachStopsQuietlyAtMaxForeach) {
  EXPECT_EQ(render("#set($n = 0)#foreach($i in [1..5000])#set($n = $n + 1)#end$n"), "1000");
  Options o;
  o.limits.max_foreach = 3;
  EXPECT_EQ(render("#foreach($i in [1..10])$i$foreach.hasNext #end", o), "1true 2true 3false ");
}

TEST(VtlLimits, OutputSize) {
  Options o;
  o.limits.max_output = 100;
  EXPECT_EQ(render("#foreach($i in [1..200])x#end", o),
            "RENDER ERROR: template rendering exceeded the output size limit");
  EXPECT_EQ(render("#foreach($i in [1..50])x#end", o), std::string(50, 'x'));
}

TEST(VtlLimits, StringsTheTemplateBuildsAreBounded) {
  EXPECT_EQ(render("#set($s = 'ab')#foreach($i in [1..1000])#set($s = \"$s$s\")#end"),
            "RENDER ERROR: template rendering exceeded the output size limit");
  EXPECT_EQ(render("#set($s = 'ab')#foreach($i in [1..1000])#set($s = $s + $s)#end"),
            "RENDER ERROR: template rendering exceeded the output size limit");
  EXPECT_EQ(render("#set($s = 'ab')#foreach($i in [1..1000])#set($s = $s.concat($s))#end"),
            "RENDER ERROR: template rendering exceeded the memory limit");
  EXPECT_EQ(render("#set($s = 'ab')#foreach($i in [1..1000])#set($s = $s.replace('a', $s))#end"),
            "RENDER ERROR: template rendering exceeded the memory limit");
  EXPECT_EQ(render("#set($l = [])#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])"
                   "#set($d = $l.add($k))#end#end#end")
                .substr(0, 45),
            "RENDER ERROR: template rendering exceeded the");
  EXPECT_EQ(render("#set($r = [1..100000000000])"), "RENDER ERROR: template rendering exceeded the memory limit");
}

TEST(VtlLimits, TimeBudget) {
  Options o;
  o.limits.budget = std::chrono::milliseconds(50);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(render("#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])#end#end#end", o),
            "RENDER ERROR: template rendering exceeded its time budget");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(VtlLimits, MacroRecursionDepth) {
  Options o;
  o.limits.max_depth = 5;
  EXPECT_EQ(render("#macro(d $n)$n#if($n < 10)#d($n + 1)#end#end#d(1)", o),
            "RENDER ERROR: template rendering exceeded the maximum nesting depth");
  EXPECT_EQ(render("#macro(d $n)$n#if($n < 3)#d($n + 1)#end#end#d(1)", o), "123");
}

TEST(VtlThreads, OneTemplateRendersOnFourThreadsAtOnce) {
  auto t = Template::compile(
      "#set($sum = 0)#foreach($i in $items)#set($sum = $sum + $i)$i.toString().replaceAll('(\\d)', '<$1>')"
      "#if($foreach.hasNext),#end#end=$sum $name.toUpperCase()");
  ASSERT_TRUE(t.has_value());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      for (int round = 0; round < 500; ++round) {
        Variables v;
        auto items = make_list();
        for (int i = 0; i < 5; ++i) items->items.emplace_back(n + i);
        v.set("items", Value(items));
        v.set("name", Value("t" + std::to_string(n)));
        auto out = t->render(v);
        std::string want;
        int sum = 0;
        for (int i = 0; i < 5; ++i) {
          std::string digits = std::to_string(n + i);
          for (char c : digits) want += std::string("<") + c + ">";
          want += i < 4 ? "," : "";
          sum += n + i;
        }
        want += "=" + std::to_string(sum) + " T" + std::to_string(n);
        if (!out || *out != want) ++failures[n];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace portcullis::vtl
