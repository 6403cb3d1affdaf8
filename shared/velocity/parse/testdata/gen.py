#!/usr/bin/env python3
import random, os, sys
out = sys.argv[1]; n = int(sys.argv[2]); seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
random.seed(seed)
frags = ["$", "$!", "${", "$!{", "}", "{", "#", "#if(", "#if (", "#set(", "#set (", " #set(", "#end", "#{end}", "#else", "#{else}", "#elseif(",
 "#foreach(", "#foreach", "#macro(", "#define(", "#literal(", "#evaluate(", "#break", "#stop", "#@m(", "#m(", "#{if}(", "(", ")", "[", "]", ".", "..", ",", ":", "'", '"',
 "\\", "\\\\", "##", "#*", "*#", "#**", "#[[", "]]#", " ", " ", " ", "\n", "\n", "\t", "\r\n", "\r", "a", "b", "foo", "x.y", "1", "-2", "3.5", "1e3",
 "true", "false", "in", "==", "!", "!=", "&&", "and", "or", "not", "eq", "lt", "=", "+", "-", "*", "/", "%", "<", ">=", "@", "_", "é", "a-b", "$a", "$a.b",
 "$a.b()", "$a.b(1)", "$a[0]", "$a['k']", "${a}", "$!a", "$!{a}", "#if($a)", "#end\n", " #end ", "#else\n", "$a.b($c, 'd')", "[1..3]", "{'k': 1}", "[1, 2]",
 "#foreach($i in $l)", "#set($x = 1)", "#set($x = $a + 1)", "\\$a", "\\\\$a", "\\#if", "\\\\#if", "$\\!a", "#a", "$1", "#1", "<!--", "-->", "x$", "~"]
os.makedirs(out, exist_ok=True)
for i in range(n):
    k = random.randint(1, 14)
    s = "".join(random.choice(frags) for _ in range(k))
    open(os.path.join(out, "r%05d.vm" % i), "w").write(s)
