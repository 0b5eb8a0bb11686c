// Printing and the Java methods on strings, lists, maps, numbers and booleans.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>

#include "vtl/regex.h"
#include "vtl_test_util.h"

namespace portcullis::vtl {
namespace {

using testing::render;
using testing::velocity;

Variables with(std::string name, Value v) {
  Variables vars;
  vars.set(std::move(name), std::move(v));
  return vars;
}

TEST(VtlPrint, JavaDoubles) {
  EXPECT_EQ(java_double(1.0), "1.0");
  EXPECT_EQ(java_double(1.5), "1.5");
  EXPECT_EQ(java_double(-0.25), "-0.25");
  EXPECT_EQ(java_double(100.0), "100.0");
  EXPECT_EQ(java_double(1234567.0), "1234567.0");
  EXPECT_EQ(java_double(1.0E7), "1.0E7");
  EXPECT_EQ(java_double(1.5E10), "1.5E10");
  EXPECT_EQ(java_double(0.001), "0.001");
  EXPECT_EQ(java_double(1.0E-4), "1.0E-4");
  EXPECT_EQ(java_double(1.0E-5), "1.0E-5");
  EXPECT_EQ(java_double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(java_double(-1.25E-7), "-1.25E-7");
  EXPECT_EQ(java_double(0.0), "0.0");
  EXPECT_EQ(java_double(-0.0), "-0.0");
  EXPECT_EQ(java_double(NAN), "NaN");
  EXPECT_EQ(java_double(-INFINITY), "-Infinity");
}

TEST(VtlPrint, CollectionsJavaAndJson) {
  auto body = Value::from_json(boost::json::parse(
      R"({"foo":"bar","n":1,"d":2.5,"t":true,"z":null,"list":[{"a":"b"},1,"x",null,[true]],"m":{"k":"v"}})"));
  Variables v = with("b", body);
  EXPECT_EQ(render("$b", v),
            R"({foo=bar, n=1, d=2.5, t=true, z=null, list=[{"a":"b"},1,"x",null,[true]], m={k=v}})");
  EXPECT_EQ(render("$b.list $b.list[0] $b.m $b.z|$b.list.toString()", v),
            R"([{"a":"b"},1,"x",null,[true]] {a=b} {k=v} |[{"a":"b"},1,"x",null,[true]])");
  EXPECT_EQ(render("#set($l = ['a', 1, $b.m, $nope])$l", v), "[a, 1, {k=v}, null]");
  EXPECT_EQ(render("#set($m = {})#set($m.self = $m)$m"), "{self=(this Map)}");
  auto q = Value::from_json(boost::json::parse(R"(["q\"\\\n"])"));
  Variables vq = with("q", q);
  EXPECT_EQ(render("$q", vq), R"(["q\"\\\n"])");
}

TEST(VtlPrint, DeepAndHugeStructuresAreBounded) {
  // Each level doubles the printed size: 2^40 bytes if unbounded.
  std::string t = "#set($a = ['x'])";
  for (int i = 0; i < 40; ++i) t += "#set($a = [$a, $a])";
  t += "$a";
  EXPECT_EQ(render(t), "RENDER ERROR: template rendering exceeded the output size limit");
  EXPECT_EQ(render(t.substr(0, t.size() - 2) + "#set($s = $a.toString())"),
            "RENDER ERROR: template rendering exceeded the output size limit");
}

TEST(VtlStrings, Methods) {
  Variables v = with("s", Value("  Hello, World  "));
  EXPECT_EQ(render("$s.length() $s.trim() [$s.toLowerCase()] [$s.toUpperCase()]", v),
            "16 Hello, World [  hello, world  ] [  HELLO, WORLD  ]");
  EXPECT_EQ(render("#set($t = $s.trim())$t.substring(7) $t.substring(0, 5) $t.indexOf('o') "
                   "$t.indexOf('o', 5) $t.lastIndexOf('o') $t.lastIndexOf('o', 7) $t.indexOf('zz')",
                   v),
            "World Hello 4 8 8 4 -1");
  EXPECT_EQ(render("#set($t = 'abcabc')$t.replace('b', 'XY') $t.replace('', '-') $t.startsWith('ab') "
                   "$t.startsWith('ca', 2) $t.endsWith('bc') $t.contains('cab') $t.equals('abcabc') "
                   "$t.equalsIgnoreCase('ABCABC') $t.isEmpty() ''.isEmpty() $t.charAt(2) $t.concat('!') "
                   "$t.toString() $t.compareTo('b')"),
            "aXYcaXYc -a-b-c-a-b-c- true true true true true true false ''.isEmpty() c abcabc! abcabc -1");
  EXPECT_EQ(render("#set($e = '')$e.isEmpty()"), "true");
}

TEST(VtlStrings, Utf16Indexes) {
  Variables v = with("s", Value("h\xC3\xA9llo \xF0\x9F\x98\x80!"));  // hé llo 😀 !
  EXPECT_EQ(render("$s.length() $s.indexOf('l') $s.substring(1, 2) $s.charAt(6) $s.indexOf('!')", v),
            "9 2 \xC3\xA9 \xF0\x9F\x98\x80 8");
}

TEST(VtlStrings, JavaExceptionsStopTheRendering) {
  EXPECT_EQ(render("#set($t = 'abc')$t.substring(5)"),
            "RENDER ERROR: template rendering failed: String index out of range: 5");
  EXPECT_EQ(render("#set($t = 'abc')$t.substring(2, 1)").substr(0, 40),
            "RENDER ERROR: template rendering failed:");
  EXPECT_EQ(render("#set($t = 'abc')$t.charAt(3)").substr(0, 40), "RENDER ERROR: template rendering failed:");
  EXPECT_EQ(render("#set($t = 'abc')$t.concat($nope)").substr(0, 40),
            "RENDER ERROR: template rendering failed:");
}

TEST(VtlStrings, UnknownMethodsAndWrongArgumentsAreUnresolved) {
  Variables v = with("s", Value("abc"));
  EXPECT_EQ(render("[$s.nope()][$s.substring('x')][$s.length(1)][$s.foo][$nope.length()]", v),
            "[][][][][]");
  EXPECT_EQ(velocity("[$s.nope()][$s.substring('x')][$s.foo]", v), "[$s.nope()][$s.substring('x')][$s.foo]");
}

TEST(VtlRegex, ReplaceAllFirstMatches) {
  Variables v = with("s", Value("it's a 'test' 42"));
  EXPECT_EQ(render(R"($s.replaceAll("\\'", "'") $s.replaceAll("'", "\\'"))", v),
            R"(it's a 'test' 42 it\'s a \'test\' 42)");
  EXPECT_EQ(render(R"($s.replaceAll('[0-9]+', '<$0>') $s.replaceFirst('(\w+)', '$1$1'))", v),
            "it's a 'test' <42> itit's a 'test' 42");
  EXPECT_EQ(render(R"($s.replaceAll('(?<n>\d)', '${n}.') $s.replaceAll('x*', '-'))", v),
            "it's a 'test' 4.2. -i-t-'-s- -a- -'-t-e-s-t-'- -4-2-");
  EXPECT_EQ(render(R"($s.matches('.*\d+') $s.matches('\d+') #set($p = 'it.*')$s.matches($p))", v),
            "true false true");
  EXPECT_EQ(render(R"(#set($t = "a\b")$t.replaceAll('\\', '/'))"), "a/b");
}

TEST(VtlRegex, BadPatternsAndReplacementsAreErrors) {
  Variables v = with("s", Value("abc"));
  EXPECT_EQ(render("$s.replaceAll('(', 'x')", v).substr(0, 40), "RENDER ERROR: template rendering failed:");
  EXPECT_EQ(render("$s.replaceAll('b', '$')", v).substr(0, 40), "RENDER ERROR: template rendering failed:");
  EXPECT_EQ(render("$s.replaceAll('b', '$2')", v).substr(0, 40), "RENDER ERROR: template rendering failed:");
  EXPECT_EQ(render("#set($p = '[')$s.matches($p)", v).substr(0, 40),
            "RENDER ERROR: template rendering failed:");
  // A pattern that is never used is not an error (AWS accepts templates it cannot render).
  EXPECT_EQ(render("#if(false)$s.replaceAll('(', 'x')#end ok", v), " ok");
}

TEST(VtlRegex, CatastrophicBacktrackingIsBounded) {
  Variables v = with("s", Value(std::string(40, 'a') + "!b"));
  EXPECT_EQ(render("$s.matches('(a+)+b')", v),
            "RENDER ERROR: template rendering exceeded the regular expression match limit");
}

TEST(VtlRegex, SplitFollowsJava) {
  auto split = [](std::string s, std::string re, int64_t limit = 0) {
    auto r = Regex::compile(re);
    EXPECT_TRUE(r.has_value());
    auto parts = (*r)->split(s, limit);
    EXPECT_TRUE(parts.has_value());
    std::string out;
    for (auto& p : *parts) out += "[" + p + "]";
    return out;
  };
  EXPECT_EQ(split("a,b,,c,,", ","), "[a][b][][c]");
  EXPECT_EQ(split("a,b,,c,,", ",", -1), "[a][b][][c][][]");
  EXPECT_EQ(split("a,b,c", ",", 2), "[a][b,c]");
  EXPECT_EQ(split(",a", ","), "[][a]");
  EXPECT_EQ(split("", ","), "[]");
  EXPECT_EQ(split("abc", ""), "[a][b][c]");
  EXPECT_EQ(split("abc", "x"), "[abc]");
  EXPECT_EQ(split(",,,", ","), "");
  EXPECT_EQ(split("a1b22c", "\\d+"), "[a][b][c]");
  Variables v = with("q", Value("a=1&b=2&c"));
  EXPECT_EQ(render("#set($p = $q.split('&'))$p.size() $p[0] $p $p[1].split('=')[1]", v),
            "3 a=1 [a=1, b=2, c] 2");
}

TEST(VtlLists, Methods) {
  EXPECT_EQ(render("#set($l = [1, 'two', 3])$l.size() $l.get(1) $l.contains('two') $l.contains(2) "
                   "$l.isEmpty() $l.indexOf(3) $l.add('x') $l $l.remove(0) $l.remove('x') $l "
                   "$l.set(0, 'z') $l $l.subList(0, 1) $l.addAll([7, 8]) $l"),
            "3 two true false false 2 true [1, two, 3, x] 1 true [two, 3] two [z, 3] [z] true [z, 3, 7, 8]");
  EXPECT_EQ(render("#set($l = [])$l.isEmpty() $l.add(1, 2)"),
            "RENDER ERROR: template rendering failed: Index 1 out of bounds for length 0");
  EXPECT_EQ(render("#set($l = [1])$l.get(1)").substr(0, 40), "RENDER ERROR: template rendering failed:");
  EXPECT_EQ(render("#set($l = [1])#set($d = $l.add(2))#if($l.add(3))$l#end"), "[1, 2, 3]");
  EXPECT_EQ(render("#set($l = [1])$l.contains(1.0)"), "false");
}

TEST(VtlMaps, Methods) {
  EXPECT_EQ(render("#set($m = {'a': 1})[$m.put('b', 2)][$m.put('a', 3)] $m $m.get('a') [$m.get('z')] "
                   "$m.containsKey('b') $m.containsKey('z') $m.containsValue(2) $m.size() $m.isEmpty() "
                   "$m.keySet() $m.values() $m.entrySet()"),
            "[][1] {a=3, b=2} 3 [] true false true 2 false [a, b] [3, 2] [a=3, b=2]");
  EXPECT_EQ(render("#set($m = {'a': 1, 'b': 2})#foreach($e in $m.entrySet())$e.key:$e.value,"
                   "$e.getKey()=$e.getValue();#end $m.remove('a') $m #set($d = $m.putAll({'c': 3}))$m"),
            "a:1,a=1;b:2,b=2; 1 {b=2} {b=2, c=3}");
  EXPECT_EQ(render("#set($m = {})\n$m.put('k', 'v')\n$m"), "\n{k=v}");
}

TEST(VtlNumbers, Methods) {
  EXPECT_EQ(render("#set($i = 5)#set($d = 2.75)$i.toString() $i.intValue() $i.doubleValue() "
                   "$d.intValue() $d.longValue() $i.equals(5) $i.equals(5.0) $i.compareTo(7) "
                   "$d.compareTo(1.0) #set($b = true)$b.toString() $b.booleanValue() $b.equals(true)"),
            "5 5 5.0 2 2 true false -1 1 true true true");
  EXPECT_EQ(render("#set($big = 4294967297)$big.intValue() $big.longValue()"), "1 4294967297");
}

class Bag : public Object {
 public:
  std::optional<Value> property(std::string_view name) override {
    if (name == "name") return Value("bag");
    if (name == "inner") return inner;
    return std::nullopt;
  }
  std::optional<Result<Value>> call(std::string_view name, std::span<const Value> args) override {
    if (name == "echo" && args.size() == 1) return Result<Value>(args[0]);
    if (name == "fail") return Result<Value>(fail(ErrorCode::kInternal, "bag failed"));
    if (name == "get" && args.size() == 1 && args[0].integer()) return Result<Value>(Value(*args[0].integer() * 10));
    return std::nullopt;
  }
  bool set_property(std::string_view name, const Value& v) override {
    if (name != "slot") return false;
    slot = v;
    return true;
  }
  std::string to_string() const override { return "<bag>"; }
  Value inner = Value(make_map());
  Value slot;
};

TEST(VtlObjects, PropertiesCallsAndPrinting) {
  auto bag = std::make_shared<Bag>();
  Variables v = with("o", Value(std::shared_ptr<Object>(bag)));
  EXPECT_EQ(render("$o $o.name $o['name'] $o[4] $o.echo('hi') [$o.nope] [$o.nope()] $o.toString()", v),
            "<bag> bag bag 40 hi [] [] <bag>");
  EXPECT_EQ(render("#set($o.inner.k = 1)#set($o.slot = 'S')$o.inner", v), "{k=1}");
  EXPECT_EQ(to_java_string(bag->slot), "S");
  EXPECT_EQ(render("a $o.fail() b", v), "RENDER ERROR: bag failed");
}

}  // namespace
}  // namespace portcullis::vtl
