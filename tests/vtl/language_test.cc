// The language: references, literals, operators and directives.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "vtl_test_util.h"

namespace portcullis::vtl {
namespace {

using testing::render;
using testing::velocity;

TEST(VtlReferences, PlainBracedQuiet) {
  Variables v;
  v.set("x", Value("hi"));
  EXPECT_EQ(render("a $x b ${x}c $!x $!{x}", v), "a hi b hic hi hi");
  EXPECT_EQ(render("[$y][${y}][$!y]", v), "[][][]");
  EXPECT_EQ(velocity("[$y][${y}][$!y][$!{y}][$y.foo()][$y.a.b]"),
            "[$y][${y}][][][$y.foo()][$y.a.b]");
}

TEST(VtlReferences, NotReferences) {
  EXPECT_EQ(render("$ 5 $$ $1 $! #x # ## c\nend"), "$ 5 $$ $1 $! #x # end");
  EXPECT_EQ(render("cost: $5.00, a.b@c.d"), "cost: $5.00, a.b@c.d");
  EXPECT_EQ(velocity("${unclosed"), "${unclosed");
  EXPECT_EQ(velocity("$a."), "$a.");
}

TEST(VtlReferences, PropertiesAndIndexes) {
  Variables v;
  auto m = make_map();
  m->put("b", Value("B"));
  auto l = make_list();
  l->items = {Value(int64_t{1}), Value("two"), Value(m)};
  m->put("list", Value(l));
  v.set("m", Value(m));
  v.set("l", Value(l));
  v.set("k", Value("b"));
  v.set("i", Value(1));
  EXPECT_EQ(render("$m.b $m['b'] $m[\"b\"] $m[$k] $l[0] $l[$i] $l[2].b $m.list[1]", v),
            "B B B B 1 two B two");
  EXPECT_EQ(render("[$l[3]][$l[-1]][$m.nope][$m.b.c]", v), "[][][][]");
  EXPECT_EQ(velocity("[$l[3]]", v), "[$l[3]]");
  EXPECT_EQ(render("$m.b[0]", v), "");
}

TEST(VtlReferences, HyphenInIdentifiers) {
  Variables v;
  v.set("a-b", Value("x"));
  v.set("a", Value("A"));
  EXPECT_EQ(render("$a-b $a- $a-1", v), "x A- ");
}

TEST(VtlLiterals, StringsNumbersListsMaps) {
  Variables v;
  v.set("x", Value("X"));
  EXPECT_EQ(render("#set($s = \"a $x ${x}b\")$s", v), "a X Xb");
  EXPECT_EQ(render("#set($s = 'a $x')$s", v), "a $x");
  EXPECT_EQ(render("#set($s = \"\\\\'\")$s"), "\\\\'");
  EXPECT_EQ(render("#set($n = 42)$n #set($d = 1.5)$d #set($m = -3)$m"), "42 1.5 -3");
  EXPECT_EQ(render("#set($l = [1, \"a\", [2, 3], {\"k\": \"v\"}])$l"), "[1, a, [2, 3], {k=v}]");
  EXPECT_EQ(render("#set($m = {\"a\": 1, 'b': [true, false]})$m $m.a"), "{a=1, b=[true, false]} 1");
  EXPECT_EQ(render("#set($l = [])$l #set($m = {})$m"), "[] {}");
  EXPECT_EQ(render("#set($b = true)$b #set($c = !$b)$c"), "true false");
}

TEST(VtlLiterals, InterpolatedStringWithDirective) {
  Variables v;
  v.set("n", Value(2));
  EXPECT_EQ(render("#set($s = \"#if($n > 1)many#{else}one#end\")$s", v), "many");
  EXPECT_EQ(render("#set($s = \"$n.foo()\")[$s]", v), "[]");
}

TEST(VtlRanges, AscendingDescendingAndVariables) {
  Variables v;
  v.set("n", Value(3));
  EXPECT_EQ(render("#foreach($i in [1..$n])$i#end", v), "123");
  EXPECT_EQ(render("#foreach($i in [3..-1])$i,#end"), "3,2,1,0,-1,");
  EXPECT_EQ(render("#set($r = [2..4])$r"), "[2, 3, 4]");
  EXPECT_EQ(render("#foreach($i in [1..'x'])$i#end|"), "|");
}

TEST(VtlArithmetic, IntegersAndDecimals) {
  EXPECT_EQ(render("#set($a = 7 / 2)$a #set($a = 7 % 3)$a #set($a = 2 * 3 + 4)$a"), "3 1 10");
  EXPECT_EQ(render("#set($a = 7.0 / 2)$a #set($a = 1 + 0.5)$a #set($a = (1 + 2) * 3)$a"),
            "3.5 1.5 9");
  EXPECT_EQ(render("#set($a = -7 / 2)$a #set($a = -7 % 2)$a"), "-3 -1");
  EXPECT_EQ(render("#set($a = 1)#set($a = 5 / 0)$a #set($b = 5 % 0)[$b]"), "1 []");
  EXPECT_EQ(render("#set($a = 9223372036854775807 + 1)$a"), "9.223372036854776E18");
  EXPECT_EQ(render("#set($a = 10)#set($b = $a - 1)$b #set($c = -$a)$c"), "9 -10");
  EXPECT_EQ(render("#set($a = 1 + $nope)[$a]"), "[]");
  EXPECT_EQ(render("#set($a = 1 + true)[$a]"), "[]");
}

TEST(VtlArithmetic, PlusConcatenatesStrings) {
  Variables v;
  v.set("s", Value("ab"));
  EXPECT_EQ(render("#set($t = $s + 1)$t #set($t = 1 + $s)$t #set($t = $s + [1])$t", v),
            "ab1 1ab ab[1]");
  EXPECT_EQ(render("#set($t = $s + $nope)$t", v), "ab");
  EXPECT_EQ(velocity("#set($t = $s + $nope)$t", v), "ab$nope");
}

TEST(VtlComparisons, NumbersStringsNulls) {
  Variables v;
  v.set("one", Value(1));
  v.set("s", Value("1"));
  v.set("e", Value(""));
  EXPECT_EQ(render("$one.equals(1) #if($one == 1.0)a#end#if($one < 2)b#end#if(2 >= 2)c#end", v),
            "true abc");
  EXPECT_EQ(render("#if($one == $s)eq#end #if('a' == 'a')s#end #if('a' != 'b')n#end", v),
            "eq s n");
  EXPECT_EQ(render("#if($one eq 1 and 2 gt 1 && not false)ok#end", v), "ok");
  EXPECT_EQ(render("#if($one lt 2 or false)a#end#if(1 le 1)b#end#if(1 ge 2)c#end#if(1 ne 2)d#end", v),
            "abd");
  EXPECT_EQ(render("#if($nope == $null)n#end#if($nope == '')e#end#if($e == $nope)x#end", v),
            "nex");
  EXPECT_EQ(velocity("#if($nope == $null)n#end#if($nope == '')e#end", v), "n");
  EXPECT_EQ(render("#if('a' < 'b')lt#{else}no#end #if($nope < 1)lt#{else}no#end"), "no no");
  EXPECT_EQ(render("#if([1, 2] == [1, 2])l#end#if({'a': 1} == {'a': 1})m#end"), "lm");
}

TEST(VtlTruthiness, NullFalseOnlyAreFalse) {
  Variables v;
  v.set("e", Value(""));
  v.set("z", Value(0));
  v.set("l", Value(make_list()));
  EXPECT_EQ(render("#if($e)e#end#if($z)z#end#if($l)l#end#if($nope)n#end#if(false)f#end"
                   "#if(!$nope)!n#end",
                   v),
            "ezl!n");
}

TEST(VtlSet, VariablesMapsAndNesting) {
  EXPECT_EQ(render("#set($m = {})#set($m.k = 'v')#set($k = 'x')#set($m[$k] = 2)$m"),
            "{k=v, x=2}");
  EXPECT_EQ(render("#set($a = {'b': {}})#set($a.b.c = 1)$a"), "{b={c=1}}");
  EXPECT_EQ(render("#set($l = [1, 2])#set($l[1] = 5)#set($l[9] = 5)$l"), "[1, 5]");
  EXPECT_EQ(render("#set($nope.a = 1)[$nope]"), "[]");
}

TEST(VtlSet, NullRightHandSideKeepsTheOldValue) {
  EXPECT_EQ(render("#set($a = 1)#set($a = $nope)$a"), "1");
  EXPECT_EQ(render("#foreach($i in [1, 2])#set($x = $m[$i])[$x]#end",
                   [] {
                     Options o;
                     return o;
                   }()),
            "[][]");
  EXPECT_EQ(render("#set($m = {'k': 1})#set($m.k = $nope)$m"), "{k=1}");
}

TEST(VtlSet, SharedReferences) {
  EXPECT_EQ(render("#set($a = [])#set($b = $a)$b.add(1)$a"), "true[1]");
  EXPECT_EQ(render("#set($m = {})#set($n = $m)#set($n.x = 1)$m"), "{x=1}");
}

TEST(VtlIf, ElseifElse) {
  Variables v;
  for (int i = 0; i < 3; ++i) {
    v.set("n", Value(i));
    EXPECT_EQ(render("#if($n == 0)zero#elseif($n == 1)one#{else}many#end", v),
              i == 0 ? "zero" : i == 1 ? "one" : "many");
  }
  EXPECT_EQ(render("#{if}(true)a#{end}b"), "ab");
  EXPECT_EQ(render("#if (true) spaced #end"), " spaced ");
}

TEST(VtlForeach, ListsMapsAndScope) {
  Variables v;
  auto m = make_map();
  m->put("a", Value(1));
  m->put("b", Value(2));
  v.set("m", Value(m));
  EXPECT_EQ(render("#foreach($x in $m)$x#end", v), "12");
  EXPECT_EQ(render("#foreach($k in $m.keySet())$k=$m.get($k);#end", v), "a=1;b=2;");
  EXPECT_EQ(render("#foreach($x in ['a','b','c'])$foreach.index$foreach.count$velocityCount"
                   "$foreach.hasNext$foreach.first$foreach.last|#end",
                   v),
            "011truetruefalse|122truefalsefalse|233falsefalsetrue|");
  EXPECT_EQ(render("#foreach($x in [1, 2])#foreach($y in [7, 8, 9])$foreach.index#end"
                   ":$foreach.index $foreach.hasNext()/#end"),
            "012:0 true/012:1 false/");
  EXPECT_EQ(render("#foreach($a in [1])#foreach($b in [2])$foreach.parent.index#end#end"), "0");
  EXPECT_EQ(render("#set($x = 'old')#foreach($x in [1, 2])$x#end $x"), "12 old");
  EXPECT_EQ(render("#foreach($x in [1, 2])#end[$x][$foreach][$velocityCount]"), "[][][]");
  EXPECT_EQ(render("#foreach($x in $nope)a#end#foreach($x in 'str')b#end|"), "|");
}

TEST(VtlForeach, BreakAndStop) {
  EXPECT_EQ(render("#foreach($i in [1..5])#if($i == 3)#break#end$i#end."), "12.");
  EXPECT_EQ(render("#foreach($i in [1..2])#foreach($j in [1..3])#if($j == 2)#break#end$i$j #end#end"),
            "11 21 ");
  EXPECT_EQ(render("a#foreach($i in [1..5])$i#if($i == 2)#stop#end#end b"), "a12");
  EXPECT_EQ(render("a#stop b"), "a");
}

TEST(VtlForeach, ListChangedWhileIterating) {
  EXPECT_EQ(render("#set($l = [1, 2])#foreach($i in $l)#if($l.size() < 4)#set($d = $l.add(9))#end$i#end"),
            "1299");
}

TEST(VtlDefine, RendersWhereReferenced) {
  EXPECT_EQ(render("#define($d)x=$x#end#set($x = 1)$d #set($x = 2)$d"), "x=1 x=2");
  EXPECT_EQ(render("#define($d)a$d#end$d"), "RENDER ERROR: template rendering exceeded the maximum nesting depth");
}

TEST(VtlMacro, DefinitionAndCalls) {
  EXPECT_EQ(render("#macro(greet $who $punct)Hello $who$punct#end#greet('you' '!') #greet(\"me\", '?')"),
            "Hello you! Hello me?");
  EXPECT_EQ(render("#macro(m)[$a]#end#set($a = 1)#m()"), "[1]");
  EXPECT_EQ(render("#macro(m $a)$a#end#set($a = 'outer')#m('in') $a"), "in outer");
  EXPECT_EQ(render("#call()#unknown('x', $y) #notamacro"), "#call()#unknown('x', $y) #notamacro");
  EXPECT_EQ(render("#later(1)#macro(later $x)L$x#end"), "L1");
  EXPECT_EQ(render("#macro(r $n)#r($n)#end#r(1)"),
            "RENDER ERROR: template rendering exceeded the maximum nesting depth");
}

TEST(VtlComments, LineBlockUnparsed) {
  EXPECT_EQ(render("a## line\nb#* block\n $x *#c"), "abc");
  EXPECT_EQ(render("#[[ $x #if( ]]#"), " $x #if( ");
}

TEST(VtlEscapes, ReferencesFollowVelocity17) {
  Variables v;
  v.set("x", Value("X"));
  EXPECT_EQ(render("\\$x \\\\$x \\\\\\$x", v), "$x \\X \\$x");
  EXPECT_EQ(velocity("\\$y \\\\$y", v), "\\$y \\\\$y");
  EXPECT_EQ(render("\\$y|\\\\$y", v), "\\|\\\\");
  EXPECT_EQ(render("\\#if(true) \\#end \\\\#if(true)y#end a\\b", v), "#if(true) #end \\y a\\b");
  // The escaped directive's name is text; what follows it is parsed as usual.
  EXPECT_EQ(render("\\#set($a = 1)", v), "#set( = 1)");
  EXPECT_EQ(velocity("\\#set($a = 1)", v), "#set($a = 1)");
}

TEST(VtlWhitespace, DirectiveLinesAreGobbled) {
  Variables v;
  v.set("l", Value::from_json(boost::json::parse("[1, 2]")));
  EXPECT_EQ(render("{\n  #set($a = 1)\n  \"a\": $a,\n  #if($a == 1)\n  \"b\": 2\n  #end\n}\n", v),
            "{\n  \"a\": 1,\n  \"b\": 2\n}\n");
  EXPECT_EQ(render("[\n#foreach($i in $l)\n  $i#if($foreach.hasNext),#end\n\n#end\n]", v),
            "[\n  1,\n\n  2\n\n]");
  EXPECT_EQ(render("a #set($x = 1) b\nc"), "a  b\nc");
  EXPECT_EQ(render("x\n\t#if(true)  \r\ny\n#else\nz\n#end"), "x\ny\n");
  EXPECT_EQ(render("#set($x = 1)"), "");
  EXPECT_EQ(render("#set($x = 1)\n#set($y = 2)\n$x$y"), "12");
}

TEST(VtlNull, KEmptyPrintsNothing) {
  Variables v;
  v.set("n", Value());
  EXPECT_EQ(render("{\"body\": $n, \"nested\": $n.nested, \"m\": $n.m()}", v),
            "{\"body\": , \"nested\": , \"m\": }");
  EXPECT_EQ(velocity("$n $n.nested", v), "$n $n.nested");
}

}  // namespace
}  // namespace portcullis::vtl
