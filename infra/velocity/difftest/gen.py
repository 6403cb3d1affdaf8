#!/usr/bin/env python3
"""Random Velocity template families for diffing the Go engine against the oracle.

gen.py OUTDIR SEED N [family ...]

Writes N templates NAME.vm, each with a random context NAME.json, cycling through
the families given (all by default; see FAMILIES at the end). The same seed gives
the same files. See README.md for how to run a round.
"""
import json, os, random, sys

R = random.Random()

def pick(*xs):
    return R.choice(xs)

def chance(p):
    return R.random() < p

# ------------------------------------------------------------------ data

STRS = ["Anna", "O'Brien", 'say "hi"', "<b>bold</b>", "a&b", "Zoë", "東京", "😀 emoji",
        "", " ", "  padded  ", "line1\nline2", "tab\there", "back\\slash", "10", "3.5",
        "-7", "1,000", "1e3", " 5", "abc", "true", "false", "null", "0", "0.0", "$x", "#if",
        "50%", "a,b,c", "x.y.z", "UPPER lower", "ß", "İstanbul", "ΣΑΣ", "\u00e9t\u00e9",
        "https://ex.com/p?a=1&b=2", "a/b c+d", "caf\u00e9 au lait", "\\$dollar", "##hash",
        "1234567890123", "-0", "+5", "0x1F", "1_000", "NaN", "Infinity", "2024-03-01",
        "01/05/2020 10:00", "x\r\ny", "\u2028", "tab\t", "ñ", "A", "a"]
INTS = [0, 1, -1, 2, 3, 5, 7, 10, 12, 42, 100, 255, 256, -128, 1000, 99999, 2147483647,
        -2147483648, 2147483648, 4294967296, 9223372036854775807, -9223372036854775808,
        9223372036854775808, 123456789012345678901234567890, 1000000, 86400000]
FLOATS = ["0.1", "0.2", "0.5", "1.5", "2.5", "-2.5", "3.14159", "1e20", "1e-5", "1.0E7",
          "1234.5", "1234.56", "0.0", "-0.0", "100.0", "19.99", "1e300", "2.675", "0.3",
          "123456789.123", "9.999999999999999e22", "1.005", "15.19", "3.04", "-0.001",
          "1e21", "12345678.9", "0.001", "0.0001", "1.7976931348623157e308", "4.9e-324", "1e400", "-1e400",
          "1e-400", "1E2", "0.1e1", "123456789012345678901234567890.5", "-0.0", "1.0", "2.50", "1e0"]

def rnum():
    if chance(0.55):
        return ("int", R.choice(INTS))
    return ("float", R.choice(FLOATS))

def jnum_text(n):
    k, v = n
    return str(v) if k == "int" else v

def rscalar():
    if chance(0.03):
        return pick('"\\ud83d cut"', '"ok \\ud83d\\ude00"', '"\\u00e9\\u0000x"', '"tab\\tnl\\n"', '"q\\"q"', "-0", "1E+2")
    r = R.random()
    if r < 0.4:
        return json.dumps(R.choice(STRS), ensure_ascii=False)
    if r < 0.75:
        return jnum_text(rnum())
    if r < 0.88:
        return pick("true", "false")
    return "null"

NAMES = ["name", "firstName", "city", "price", "qty", "total", "discount", "items", "tags",
         "user", "order", "flag", "count", "code", "email", "amount", "rate", "list", "map",
         "data", "nums", "empty", "nothing", "title", "s", "n", "d", "b", "m", "l"]

def rvalue(depth=0):
    r = R.random()
    if depth < 3 and r < 0.18:
        return "[" + ", ".join(rvalue(depth + 1) for _ in range(R.randint(0, 4))) + "]"
    if depth < 3 and r < 0.3:
        keys = R.sample(["name", "price", "qty", "id", "url", "tags", "sku", "a", "b",
                         "size", "empty", "class", "key", "value", "x y", "a-b", "1"],
                        R.randint(0, 5))
        return "{" + ", ".join(json.dumps(k) + ": " + rvalue(depth + 1) for k in keys) + "}"
    return rscalar()

def item():
    fields = []
    fields.append('"name": ' + json.dumps(R.choice(STRS), ensure_ascii=False))
    if chance(0.9):
        fields.append('"price": ' + (jnum_text(rnum()) if chance(0.8) else rscalar()))
    if chance(0.8):
        fields.append('"qty": ' + (str(R.choice([0, 1, 2, 3, 10, -1])) if chance(0.8) else rscalar()))
    if chance(0.5):
        fields.append('"tags": [' + ", ".join(rscalar() for _ in range(R.randint(0, 3))) + "]")
    if chance(0.4):
        fields.append('"url": ' + json.dumps(pick("https://ex.com/a?b=1&c=2", "/p/1", "", "x y")))
    if chance(0.3):
        fields.append('"sale": ' + pick("true", "false", "null"))
    return "{" + ", ".join(fields) + "}"

def context():
    d = {}
    d["name"] = json.dumps(R.choice(STRS), ensure_ascii=False)
    d["firstName"] = json.dumps(R.choice(STRS), ensure_ascii=False)
    d["city"] = pick('"Kyiv"', '"kyiv"', '"London"', '""', "null", '"S\u00e3o Paulo"')
    d["price"] = jnum_text(rnum())
    d["qty"] = jnum_text(rnum()) if chance(0.5) else str(R.choice([0, 1, 2, 3]))
    d["total"] = rscalar()
    d["discount"] = pick('"5%"', "10", "0.15", '"10"', "null", '""', "0")
    items = [item() for _ in range(R.randint(0, 5))]
    if chance(0.15):
        items.insert(R.randint(0, len(items)), "null")
    d["items"] = "[" + ", ".join(items) + "]"
    d["tags"] = "[" + ", ".join(rscalar() for _ in range(R.randint(0, 4))) + "]"
    d["nums"] = "[" + ", ".join(jnum_text(rnum()) for _ in range(R.randint(0, 5))) + "]"
    d["user"] = '{"name": %s, "age": %s, "vip": %s, "address": {"city": %s, "zip": %s}}' % (
        json.dumps(R.choice(STRS), ensure_ascii=False), jnum_text(rnum()), pick("true", "false", "null", '"true"'),
        pick('"Kyiv"', "null", '""'), pick('"01001"', "1001", "null"))
    d["flag"] = pick("true", "false", "null", '"false"', "0", '""')
    d["count"] = str(R.choice([0, 1, 2, 5, -1, 3]))
    d["code"] = json.dumps(pick("ABC-123", "x", "", "10", "007", "a b"))
    d["email"] = json.dumps(pick("john@example.com", "JOHN@EX.COM", "", "a+b@c.d"))
    d["amount"] = rscalar()
    d["rate"] = pick("0.1", "0.2", "1.5", "2", '"0.5"', "null")
    d["empty"] = pick('""', "[]", "{}", "null")
    d["map"] = rvalue(1) if chance(0.3) else '{"a": 1, "b": "two", "c": null, "d": [1, 2], "size": 3}'
    d["data"] = '{"param": %s, "items": %s, "1043": %s, "array name": [%s]}' % (
        rscalar(), d["items"], rscalar(), ", ".join(rscalar() for _ in range(R.randint(0, 3))))
    d["s"] = json.dumps(R.choice(STRS), ensure_ascii=False)
    d["n"] = jnum_text(rnum())
    d["d"] = R.choice(FLOATS)
    d["b"] = pick("true", "false")
    d["m"] = rvalue(1)
    d["l"] = "[" + ", ".join(rvalue(2) for _ in range(R.randint(0, 4))) + "]"
    keys = list(d.keys())
    R.shuffle(keys)
    drop = set(R.sample(keys, R.randint(0, 4)))
    return "{" + ", ".join('"%s": %s' % (k, d[k]) for k in keys if k not in drop) + "}"

# ------------------------------------------------------------------ expressions

SIMPLE_REFS = ["$name", "$firstName", "$city", "$price", "$qty", "$total", "$discount",
               "$items", "$tags", "$nums", "$user", "$user.name", "$user.age", "$user.vip",
               "$user.address.city", "$user.address.zip", "$flag", "$count", "$code", "$email",
               "$amount", "$rate", "$empty", "$map", "$map.a", "$map.b", "$map.c", "$map.size",
               "$data.param", "$data.get('param')", "$data.get('1043')", "$data.items",
               "$s", "$n", "$d", "$b", "$m", "$l", "$missing", "$nothing", "$items[0]",
               "$items[0].name", "$items[0].price", "$nums[0]", "$tags[0]", "$l[0]",
               "$data.get('array name')", "$map['a']", "$map.get('b')", "$user['name']"]

def ref(silent=None):
    r = R.choice(SIMPLE_REFS)
    if silent is None:
        silent = chance(0.3)
    if chance(0.2) and "[" not in r and "(" not in r:
        r = "${" + r[1:] + "}"
    if silent:
        r = "$!" + r[1:]
    return r

def lit():
    r = R.random()
    if r < 0.3:
        return "'" + R.choice(STRS).replace("'", "''").replace("\n", " ") + "'"
    if r < 0.45:
        s = R.choice(STRS).replace('"', '""').replace("\n", " ").replace("$", "").replace("#", "")
        return '"' + s + '"'
    if r < 0.8:
        k, v = rnum()
        if k == "int":
            return str(v)
        return v if "e" not in v.lower() and "E" not in v else "1.5"
    if r < 0.9:
        return pick("true", "false")
    return pick("[]", "[1, 2]", "{}", '{"k": 1}', "[1..3]", "null")

def operand():
    return ref(False) if chance(0.6) else lit()

ARITH = ["+", "-", "*", "/", "%"]
CMP = ["==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge"]

def arith_expr(depth=0):
    if depth > 1 or chance(0.4):
        return operand()
    e = arith_expr(depth + 1) + " " + R.choice(ARITH) + " " + arith_expr(depth + 1)
    if chance(0.3):
        e = "(" + e + ")"
    return e

def cond(depth=0):
    r = R.random()
    if r < 0.3:
        c = ref(chance(0.3))
    elif r < 0.75:
        c = operand() + " " + R.choice(CMP) + " " + operand()
    elif r < 0.85 and depth < 2:
        c = pick("!", "not ", "!") + ("(" + cond(depth + 1) + ")" if chance(0.5) else ref(False))
    elif depth < 2:
        c = cond(depth + 1) + " " + pick("&&", "||", "and", "or") + " " + cond(depth + 1)
    else:
        c = ref(False)
    return c

NUM_ARGS = ["$price", "$qty", "$n", "$d", "$amount", "$total", "$discount", "$rate", "$count",
            "'10'", "'3.5'", "'1,000'", "'abc'", "''", "$missing", "null", "0", "1", "-1", "2.5",
            "'1e3'", "' 5'", "1.5", "100", "3", "$items[0].price", "$nums[0]", "'-2'", "true",
            "'$1'", "2147483647", "9223372036854775807", "0.1", "1e2"]

MATH_METHODS = ["add", "sub", "mul", "div", "max", "min", "pow", "abs", "ceil", "floor",
                "round", "roundTo", "toInteger", "toDouble", "toNumber", "idiv", "mod",
                "neg", "getAverage", "getTotal", "random"]
NUMBER_METHODS = ["integer", "format", "number", "currency", "percent", "toNumber", "isNumber"]
NUM_FORMATS = ["'#.00'", "'#,##0.00'", "'0'", "'#'", "'0.0'", "'integer'", "'number'",
               "'currency'", "'percent'", "'#.##'", "'00.###'", "'#,###'", "'0.00%'", "'$#,##0.00'",
               "'#.#E0'", "''", "'bad''pattern'", "'¤#,##0.00'", "'#,##0.###'", "'0000'"]

def math_call():
    m = R.choice(MATH_METHODS)
    if m == "random":
        m = "add"
    n = {"abs": 1, "ceil": 1, "floor": 1, "round": 1, "toInteger": 1, "toDouble": 1,
         "toNumber": 1, "neg": 1, "getAverage": 1, "getTotal": 1}.get(m, 2)
    if chance(0.1):
        n = R.randint(0, 3)
    args = [R.choice(NUM_ARGS) for _ in range(n)]
    if m in ("getAverage", "getTotal") and chance(0.7):
        args = [pick("$nums", "$tags", "[1, 2, 3]", "[1, 2.5]", "['1', '2']", "[]", "$items")]
    return "$" + pick("", "!") + "mathTool." + m + "(" + ", ".join(args) + ")"

def number_call():
    m = R.choice(NUMBER_METHODS)
    if m == "format":
        args = [R.choice(NUM_FORMATS), R.choice(NUM_ARGS)]
    else:
        args = [R.choice(NUM_ARGS)]
        if chance(0.15):
            args.insert(0, R.choice(NUM_FORMATS))
    return "$" + pick("", "!") + "numberTool." + m + "(" + ", ".join(args) + ")"

STR_IDX = ["0", "1", "2", "-1", "3", "5", "100", "$count", "$qty", "$n", "'1'", "1.5", "$missing",
           "$s.length()", "null", "2147483647", "$mathTool.sub($s.length(), 1)"]
STR_METHODS = [
    ("substring", 1), ("substring", 2), ("charAt", 1), ("indexOf", 1), ("indexOf", 2),
    ("lastIndexOf", 1), ("length", 0), ("toUpperCase", 0), ("toLowerCase", 0), ("trim", 0),
    ("isEmpty", 0), ("replace", 2), ("replaceAll", 2), ("replaceFirst", 2), ("split", 1),
    ("split", 2), ("startsWith", 1), ("startsWith", 2), ("endsWith", 1), ("contains", 1),
    ("equals", 1), ("equalsIgnoreCase", 1), ("concat", 1), ("matches", 1), ("compareTo", 1),
    ("compareToIgnoreCase", 1), ("toString", 0), ("hashCode", 0), ("repeat", 1), ("strip", 0),
    ("isBlank", 0), ("codePointAt", 1),
    ("intern", 0), ("stripLeading", 0), ("stripTrailing", 0), ("regionMatches", 4),
    ("join", 2), ("valueOf", 1), ("format", 2), ("contentEquals", 1), ("subSequence", 2),
]
STR_ARGS = ["'a'", "'A'", "''", "' '", "'an'", "'.'", "'\\.'", "','", "'[a-z]+'", "'(\\w)(\\w*)'",
            "'$1'", "'x$0'", "'\\\\'", "$s", "$name", "$missing", "null", "'%s-%d'", "'o'",
            "\"$name\"", "'[' ", "'|'", "'*'", "'\\s+'", "'^'", "'$'"]

def str_call():
    m, n = R.choice(STR_METHODS)
    args = []
    for i in range(n):
        if m in ("substring", "charAt", "codePointAt", "repeat", "subSequence") or (i == 1 and m in ("indexOf", "startsWith", "split")):
            args.append(R.choice(STR_IDX))
        elif m == "regionMatches":
            args.append(R.choice(STR_IDX + STR_ARGS + ["true"]))
        else:
            args.append(R.choice(STR_ARGS + (STR_IDX if chance(0.1) else [])))
    tgt = R.choice(["$s", "$name", "$firstName", "$city", "$code", "$email", "$items[0].name",
                    "$user.name", "$n", "$d", "$missing", "$tags[0]", "$data.param", "$b"])
    base = tgt.replace("$", "$!" if chance(0.3) else "$", 1)
    call = base + "." + m + "(" + ", ".join(args) + ")"
    if chance(0.2):
        m2, n2 = R.choice([("length", 0), ("toUpperCase", 0), ("trim", 0), ("size", 0), ("get", 1), ("substring", 1)])
        call += "." + m2 + "(" + ", ".join(R.choice(STR_IDX) for _ in range(n2)) + ")"
    return call

LIST_METHODS = [("size", 0), ("get", 1), ("isEmpty", 0), ("contains", 1), ("indexOf", 1),
                ("subList", 2), ("add", 1), ("remove", 1), ("toString", 0), ("lastIndexOf", 1),
                ("containsAll", 1), ("equals", 1), ("set", 2), ("clear", 0), ("addAll", 1),
                ("sort", 1), ("hashCode", 0)]
MAP_METHODS = [("get", 1), ("containsKey", 1), ("containsValue", 1), ("keySet", 0), ("values", 0),
               ("entrySet", 0), ("size", 0), ("isEmpty", 0), ("put", 2), ("remove", 1),
               ("getOrDefault", 2), ("putIfAbsent", 2), ("toString", 0), ("equals", 1)]

def coll_call():
    if chance(0.5):
        m, n = R.choice(LIST_METHODS)
        tgt = R.choice(["$items", "$tags", "$nums", "$l", "$data.items", "$empty", "[1, 2, 3]", "$missing"])
        if tgt.startswith("["):
            return "#set($tmp = " + tgt + ")$tmp." + m + "(" + ", ".join(R.choice(STR_IDX + STR_ARGS) for _ in range(n)) + ")"
    else:
        m, n = R.choice(MAP_METHODS)
        tgt = R.choice(["$map", "$user", "$m", "$data", "$user.address", "$items[0]", "$empty"])
    args = ", ".join(R.choice(STR_IDX + STR_ARGS + ["'a'", "'name'", "'price'", "'size'"]) for _ in range(n))
    return tgt.replace("$", "$" + pick("", "!"), 1) + "." + m + "(" + args + ")"

ESC_METHODS = ["html", "xml", "url", "javascript", "java", "json", "sql", "propertyKey",
               "propertyValue", "unurl", "getDollar", "getHash", "getBackslash", "getQuote",
               "getSingleQuote", "getExclamation", "getD", "getH", "getB", "getQ", "getS", "getE",
               "d", "h", "b", "q", "s", "e", "dollar", "hash", "quote", "backslash", "newline",
               "getNewline", "exclamation", "singleQuote", "csv"]

def esc_call():
    m = R.choice(ESC_METHODS)
    if m.startswith("get") or len(m) == 1 or m in ("dollar", "hash", "quote", "backslash", "newline", "exclamation", "singleQuote"):
        return "$esc." + m
    arg = R.choice(["$name", "$s", "$firstName", "$code", "$items[0].name", "$user.name", "$missing",
                    "'a&b'", "\"<x y='1'>\"", "$n", "$tags", "$map", "'\u00e9'", "'tab\there'"])
    return "$" + pick("", "!") + "esc." + m + "(" + arg + ")"

def any_output_expr():
    r = R.random()
    if r < 0.3:
        return ref()
    if r < 0.45:
        return str_call()
    if r < 0.55:
        return math_call()
    if r < 0.62:
        return number_call()
    if r < 0.72:
        return esc_call()
    if r < 0.82:
        return coll_call()
    return "#set($r = " + arith_expr() + ")$!r"

# ------------------------------------------------------------------ families

def fam_email():
    out = []
    out.append(pick("<html><body>", "<!DOCTYPE html>\n<html>\n<body>", "<table width=\"100%\">", "<div style=\"color:#333;font:14px/1.4 Arial\">"))
    out.append(pick("<p>Hi ${firstName},</p>", "<p>Hello $!{firstName}!</p>", "<p>Dear $firstName.</p>",
                    "<h1>#if($firstName)$firstName#{else}friend#end</h1>", "<p>Hi $!firstName.trim(),</p>"))
    wrap = chance(0.35)
    def d(s):
        return "<!--" + s + "-->" if wrap else s
    for _ in range(R.randint(1, 4)):
        r = R.random()
        ind = pick("", "  ", "    ", "\t")
        if r < 0.35:
            v = pick("item", "i", "p", "row")
            src = pick("$items", "$data.items", "$!items", "$tags", "$nums", "$l", "$map", "$user", "[1..3]", "[$count..1]", "$missing", "$data.get('array name')")
            out.append(ind + d("#foreach($%s in %s)" % (v, src)))
            body = []
            for _ in range(R.randint(1, 3)):
                body.append(ind + "  " + pick(
                    "<tr><td>$velocityCount</td><td>$!%s.name</td><td>$!%s.price</td></tr>" % (v, v),
                    "<li class=\"#if($foreach.first)first#elseif($foreach.last)last#end\">$%s</li>" % v,
                    "$foreach.index/$foreach.count#if($foreach.hasNext), #end" ,
                    "#if($velocityHasNext)$%s, #else$%s.#end" % (v, v),
                    "#if($foreach.count > %d)#break#end" % R.randint(0, 3),
                    "$!{%s.name}: $!numberTool.format('#,##0.00', $%s.price)" % (v, v),
                    "#set($sum = $mathTool.add($!sum, $!%s.price))" % v,
                    "#set($line = $%s.price * $%s.qty)$!line" % (v, v),
                    "#foreach($t in $%s.tags)[$t]#end" % v,
                    "#if($%s.sale)SALE #end$!%s.name.toUpperCase()" % (v, v),
                    "$foreach.parent.count-$foreach.count",
                    "#if($%s.qty > 0 && $%s.price)in stock#{else}sold out#end" % (v, v),
                    "<a href=\"$!%s.url?utm=$esc.url($name)\">$esc.html($!%s.name)</a>" % (v, v),
                    any_output_expr()))
            out.extend(body)
            out.append(ind + d("#end") + pick("", " ", "\t", " trailing", "<br>"))
            if chance(0.3):
                out.append("Total: $!sum")
        elif r < 0.65:
            out.append(ind + d("#if(%s)" % cond()))
            out.append(ind + "  " + any_output_expr())
            for _ in range(R.randint(0, 2)):
                out.append(ind + d(pick("#elseif(%s)" % cond(), "#{elseif}(%s)" % cond())))
                out.append(ind + "  " + any_output_expr())
            if chance(0.6):
                out.append(ind + d(pick("#else", "#{else}")))
                out.append(ind + "  " + any_output_expr())
            out.append(ind + d(pick("#end", "#{end}")))
        elif r < 0.8:
            mname = pick("card", "btn", "row", "price")
            out.append("#macro(%s $a $b)<div>$a|$!b|$!bodyContent</div>#end" % mname)
            out.append(pick("#%s($name $price)" % mname, "#@%s($name, 'x')body $count#end" % mname,
                            "#%s('x')" % mname, "#%s($items[0] $missing)" % mname,
                            "#@%s($name)#foreach($t in $tags)$t;#end#end" % mname))
        else:
            out.append(ind + any_output_expr())
    out.append(pick("</body></html>", "</table>", "</div>", "<p>Unsubscribe: https://ex.com/u?e=$esc.url($!email)</p>"))
    sep = "\r\n" if chance(0.1) else "\n"
    return sep.join(out) + (sep if chance(0.7) else "")

def fam_body():
    if chance(0.6):
        lines = ["{"]
        fields = []
        for _ in range(R.randint(2, 7)):
            k = R.choice(["name", "email", "price", "qty", "city", "items", "tags", "note", "flag", "id"])
            r = R.random()
            if r < 0.25:
                v = '"%s"' % ref()
            elif r < 0.4:
                v = '"$esc.json(%s)"' % ref(False) if chance(0.5) else '"$esc.javascript(%s)"' % ref(False)
            elif r < 0.55:
                v = ref(chance(0.5))
            elif r < 0.7:
                v = "[#foreach($i in %s)#if($foreach.index > 0),#end\"$!i.name\"#end]" % pick("$items", "$data.items", "$tags", "$missing")
            elif r < 0.8:
                v = "#if(%s)true#{else}false#end" % cond()
            elif r < 0.9:
                v = "[#foreach($i in %s)%s$velocityHasNext#if($velocityHasNext), #end#end]" % (pick("$nums", "$tags", "$l"), pick("$i", "\"$i\"", "$!i"))
            else:
                v = '"%s"' % any_output_expr()
            fields.append('  "%s": %s' % (k, v))
        lines.append(",\n".join(fields))
        lines.append("}")
        t = "\n".join(lines)
        if chance(0.3):
            t = "#set($q = '\"')\n" + t.replace('"', "$q", R.randint(0, 3))
    else:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<order id=\"$!{code}\">"]
        for _ in range(R.randint(1, 5)):
            tag = R.choice(["name", "price", "city", "note", "email"])
            lines.append(pick("  <%s>%s</%s>" % (tag, ref(), tag),
                              "  <%s>$esc.xml(%s)</%s>" % (tag, ref(False), tag),
                              "  <%s><![CDATA[%s]]></%s>" % (tag, ref(), tag),
                              "  #foreach($i in $items)<item n=\"$velocityCount\" price=\"$!i.price\">$esc.xml($!i.name)</item>#end",
                              "  #if(%s)<%s/>#end" % (cond(), tag)))
        lines.append("</order>")
        t = "\n".join(lines)
    return t + ("\n" if chance(0.5) else "")

def fam_arith():
    out = []
    for _ in range(R.randint(3, 10)):
        r = R.random()
        if r < 0.35:
            out.append("#set($r = %s)[$!r]" % arith_expr())
        elif r < 0.55:
            out.append("#if(%s)T#{else}F#end" % cond())
        elif r < 0.75:
            out.append(math_call())
        elif r < 0.9:
            out.append(number_call())
        else:
            a, b = R.choice(NUM_ARGS), R.choice(NUM_ARGS)
            out.append("#set($x = %s)#set($y = %s)$x %s $y = #set($z = $x %s $y)$!z" % (a, b, R.choice(ARITH), R.choice(ARITH)))
    return "\n".join(out) + "\n"

def fam_strmeth():
    return "\n".join(pick(str_call(), coll_call(), esc_call()) for _ in range(R.randint(3, 10))) + "\n"

WS_LINES = ["#set($a = 1)", "#set( $b = \"x\" )", "#if($flag)", "#else", "#end", "#foreach($i in [1..2])",
            "$name", "$!missing", "## comment", "#* block *#", "#*\nmulti\n*#", "text", "", "  ",
            "#if(true)yes#end", "#{if}($a)A#{end}", "#break", "$a #set($c = 2)", "text #set($d = 3)",
            "#macro(m)M#end", "#m()", "#m() ", "#[[raw $x]]#", "#literal()$l#end",
            "#define($blk)B$!a#end", "$blk", "#evaluate('$name')", "#stop", "\\$name", "\\#if",
            "\\\\$name", "#set($a = $a + 1)$a", "#elseif($b)", "#end text", "#{else}x", "x#end",
            "#foreach($k in $map.keySet())$k=$map.get($k) #end", "#if($a)##c\n#end", "   #set($z=1)   ",
            "\t#if(1 == 1)\t", "#end   ## trailing", "$a#if(true)x#end$a", "#*c*##set($e=1)"]

def fam_ws():
    lines = []
    depth = 0
    for _ in range(R.randint(4, 14)):
        l = R.choice(WS_LINES)
        if l in ("#else", "#elseif($b)", "#{else}x") and depth == 0:
            l = "#if($b)"
        if l in ("#end", "#end text", "x#end", "#end   ## trailing") and depth == 0:
            l = "#if($flag)"
        if l.startswith("#if(") and not l.endswith("#end") or l.startswith("#foreach(") or l.startswith("\t#if("):
            depth += 1
        elif l in ("#end", "#end text", "x#end", "#end   ## trailing"):
            depth -= 1
        ind = pick("", "", " ", "  ", "\t", " \t")
        trail = pick("", "", " ", "\t", "  ")
        lines.append(ind + l + trail)
    while depth > 0:
        lines.append(pick("#end", " #end", "#end ", "#{end}"))
        depth -= 1
    sep = pick("\n", "\n", "\r\n", "\r")
    t = sep.join(lines)
    if chance(0.6):
        t += sep
    return t

PUNCT = ["$a.", "$a..b", "$a(", "${a}b", "$!a[0]", "$a.b()", "$a.b(", "$a[", "$a]", "$a[0", "$a.1",
         "$.a", "$-a", "$a-b", "$a_b", "$_a", "$a$b", "$$a", "$!$a", "$!{a", "${a", "$a}", "$a{x}",
         "$a.b.", "$a?", "$a!", "$a;", "$a,", "$a:", "$a/", "$a'", "$a\"", "$a)", "($a)", "[$a]",
         "$a.toString()", "$a.length()x", "$a.get(0)", "$a[0][1]", "$a['b']", "$a[\"b\"]", "$a.b.c.d",
         "$1", "$ a", "$!", "$!!a", "$\\a", "\\$a", "\\\\$a", "\\\\\\$a", "\\$!a", "\\${a}", "\\#set",
         "\\\\#if(true)x#end", "#$a", "#{a}", "#a", "##$a", "$a#", "$a#b", "$a##c", "$a.#", "$a@b.com",
         "$a%", "100$a", "$a100", "$a.b[0]", "$a.size", "$a.empty", "$a.class", "$a.class.name",
         "$a.getClass().getSimpleName()", "${a.b}", "${a.b()}", "${a[0]}", "$!{a.b}x", "$a[-1]",
         "$a[ 0 ]", "$a.get( 0 )", "$a.substring(1)", "$a .b", "$a. b", "$a.b (1)", "$a[$n]",
         "$a[$a.size()]", "$a.put('k', 'v')", "$a.keySet()", "$a.values()", "$a.entrySet()",
         "$a.isEmpty()", "$a.bogus()", "$a.bogus", "$a.Name", "$a.NAME", "$a.name.length()",
         "€$a", "$a€", "$a-", "$a--", "$a->b", "$a=>b", "$a|b", "${a|b}", "$a&b", "$a<br>",
         "<b>$a</b>", "$a$", "$a\\", "$a\\$b", "$a.b\\", "$a.'b'", "$a[\"b\"].c"]

def fam_punct():
    vals = ["$name", "$items", "$map", "$user", "$missing", "$tags", "$n", "$s", "$data", "$empty", "$m", "$l"]
    out = []
    for _ in range(R.randint(4, 12)):
        p = R.choice(PUNCT)
        v = R.choice(vals)[1:]
        p = p.replace("$a", "$" + v).replace("{a", "{" + v).replace("$!a", "$!" + v)
        if "$b" in p:
            p = p.replace("$b", R.choice(vals))
        out.append(p)
    return pick(" ", "\n", "", " | ").join(out) + "\n"

def fam_directives():
    out = []
    for _ in range(R.randint(2, 7)):
        r = R.random()
        if r < 0.15:
            out.append("#evaluate(%s)" % pick("'$name'", "\"#set($e = 1)$e\"", "$code", "'#if(true)ok#end'",
                                              "'$missing'", "\"\\$name\"", "'#foreach($i in [1..2])$i#end'",
                                              "'#stop'", "'#break'", "$name", "'#set($x = '", "'$items.size()'",
                                              "\"$name\"", "'#macro(em)E#end#em()'", "''", "$missing"))
        elif r < 0.3:
            nm = pick("blk", "hdr", "x")
            out.append("#define($%s)%s#end" % (nm, pick("B", "$name", "#if($flag)F#end", "#foreach($i in $tags)$i#end", "$!%s" % nm, "#set($cnt = $!cnt + 1)$cnt")))
            out.append(pick("$%s" % nm, "$!%s" % nm, "${%s}" % nm, "$%s.length()" % nm, "$%s.toString()" % nm, "#if($%s)D#end" % nm, "$%s$%s" % (nm, nm)))
        elif r < 0.4:
            out.append(pick("#literal()$name #if#end", "#literal()#foreach($i in $x)$i#end#end", "#literal()\n#set($a = 1)\n#end"))
        elif r < 0.5:
            out.append(pick("#[[$name]]#", "#[[#if($a)]]#", "#[[ ]]# $name", "#[[\n#end\n]]#", "#[[##x]]#", "#[[ #* ]]#*#"))
        elif r < 0.62:
            out.append(pick("#foreach($i in [1..5])$i#if($i == 3)#break#end#end",
                            "#foreach($i in $items)#foreach($j in [1..3])$j#if($j == 2)#break($foreach.parent)#end#end$i#end",
                            "#foreach($i in $tags)#if($foreach.first)#break#end$i#end",
                            "#if($flag)#break#end after",
                            "#foreach($i in [1..3])#foreach($j in [1..2])$foreach.parent.index$foreach.index #end#end"))
        elif r < 0.7:
            out.append(pick("#if($flag)#stop#end", "#foreach($i in [1..3])$i#if($i == 2)#stop#end#end", "#stop()", "#stop trailing"))
        elif r < 0.85:
            nm = pick("m", "wrap", "tag")
            out.append(pick("#macro(%s $x)[$x]#end#%s($name)#%s('a')#%s()" % (nm, nm, nm, nm),
                            "#macro(%s)$bodyContent$bodyContent#end#@%s()$name#end" % (nm, nm),
                            "#macro(%s $x $y)$x$y#end#%s(1 2)#%s(1, 2)#%s([1, 2] {'a': 1})" % (nm, nm, nm, nm),
                            "#macro(%s $l)#foreach($i in $l)$i#end#end#%s($tags)#%s($items)" % (nm, nm, nm),
                            "#macro( %s, $a )A$a#end#%s( 'q' )" % (nm, nm),
                            "#@%s()x#end" % nm,
                            "#macro(%s $x)#if($x > 0)#set($y = $x - 1)$x#%s($y)#end#end#%s(3)" % (nm, nm, nm),
                            "#macro(%s)#break#end#foreach($i in [1..3])$i#%s()#end" % (nm, nm)))
        else:
            out.append(any_output_expr())
    return "\n".join(out) + "\n"

def mutate(t):
    ops = ["del", "ins", "dup", "swap"]
    for _ in range(R.randint(1, 2)):
        if not t:
            break
        op = R.choice(ops)
        i = R.randrange(len(t))
        if op == "del":
            j = min(len(t), i + R.randint(1, 3))
            t = t[:i] + t[j:]
        elif op == "ins":
            t = t[:i] + R.choice(["#end", ")", "(", "]", "[", "'", '"', "{", "}", "#", "$", "#if(", "#else", ",", "\n", "#set(", "#foreach(", "$!", "..", "*#", "#*", "##"]) + t[i:]
        elif op == "dup":
            j = min(len(t), i + R.randint(1, 8))
            t = t[:j] + t[i:j] + t[j:]
        else:
            j = min(len(t) - 1, i + 1)
            t = t[:i] + t[j] + t[i] + t[j + 1:]
    return t

def fam_malformed():
    base = R.choice([fam_email, fam_body, fam_ws, fam_directives, fam_arith])()
    return mutate(base)


NUM_RECV = ["$price", "$qty", "$n", "$d", "$count", "$amount", "$nums[0]", "$items[0].price", "$user.age", "$rate"]
NUM_METHODS = [("intValue", 0), ("longValue", 0), ("doubleValue", 0), ("floatValue", 0), ("toString", 0),
               ("compareTo", 1), ("equals", 1), ("hashCode", 0), ("byteValue", 0), ("shortValue", 0),
               ("isNaN", 0), ("isInfinite", 0), ("signum", 0), ("abs", 0), ("negate", 0), ("toString", 1),
               ("compare", 2), ("max", 2), ("min", 2), ("sum", 2), ("parseInt", 1), ("valueOf", 1),
               ("toHexString", 1), ("toBinaryString", 1), ("bitCount", 1), ("bitLength", 0), ("pow", 1),
               ("add", 1), ("multiply", 1), ("mod", 1), ("divide", 1), ("stripTrailingZeros", 0), ("scale", 0),
               ("toPlainString", 0), ("isEmpty", 0), ("length", 0), ("class", -1), ("empty", -1), ("MAX_VALUE", -1)]
SU_METHODS = [("isEmpty", 1), ("isBlank", 1), ("isNotEmpty", 1), ("defaultString", 1), ("defaultString", 2),
              ("capitalize", 1), ("uncapitalize", 1), ("abbreviate", 2), ("left", 2), ("right", 2), ("mid", 3),
              ("substringBefore", 2), ("substringAfter", 2), ("substringBetween", 3), ("strip", 1), ("trim", 1),
              ("trimToEmpty", 1), ("trimToNull", 1), ("join", 2), ("split", 2), ("replace", 3), ("repeat", 2),
              ("leftPad", 2), ("leftPad", 3), ("rightPad", 3), ("center", 2), ("contains", 2), ("containsIgnoreCase", 2),
              ("countMatches", 2), ("reverse", 1), ("swapCase", 1), ("upperCase", 1), ("lowerCase", 1),
              ("isNumeric", 1), ("isAlpha", 1), ("isAlphanumeric", 1), ("indexOf", 2), ("equals", 2),
              ("equalsIgnoreCase", 2), ("chomp", 1), ("chop", 1), ("deleteWhitespace", 1), ("removeStart", 2),
              ("removeEnd", 2), ("startsWith", 2), ("endsWith", 2), ("stripAccents", 1), ("normalizeSpace", 1),
              ("wrap", 2), ("defaultIfEmpty", 2), ("ordinalIndexOf", 3), ("replaceOnce", 3), ("overlay", 4)]
LISTTOOL = [("get", 2), ("size", 1), ("isArray", 1), ("isEmpty", 1), ("contains", 2), ("set", 3), ("isList", 1)]
SORT_ARGS = ["$items", "$tags", "$nums", "$l", "[3, 1, 2]", "['b', 'a', 'C']", "[1, 2.5, 0]", "$missing", "$map", "[]"]
SORT_KEYS = ["'name'", "'price'", "'name:desc'", "'price:asc'", "['qty', 'name']", "'desc'", "'missing'", "'price:desc'"]

def val_arg():
    return R.choice(STR_ARGS + STR_IDX + NUM_ARGS + ["$items", "$tags", "$map", "true", "[1, 2]"])

def fam_methods():
    out = []
    for _ in range(R.randint(3, 10)):
        r = R.random()
        if r < 0.3:
            m, n = R.choice(NUM_METHODS)
            recv = R.choice(NUM_RECV).replace("$", pick("$", "$!"), 1)
            if n < 0:
                out.append(recv + "." + m)
            else:
                out.append(recv + "." + m + "(" + ", ".join(R.choice(NUM_ARGS + STR_ARGS[:6]) for _ in range(n)) + ")")
        elif r < 0.55:
            m, n = R.choice(SU_METHODS)
            out.append("$" + pick("", "!") + "stringUtils." + m + "(" + ", ".join(val_arg() for _ in range(n)) + ")")
        elif r < 0.65:
            m, n = R.choice(LISTTOOL)
            args = [R.choice(SORT_ARGS)] + [val_arg() for _ in range(n - 1)]
            out.append("$listTool." + m + "(" + ", ".join(args) + ")")
        elif r < 0.8:
            if chance(0.5):
                out.append("$" + pick("sorter", "sortTool") + ".sort(" + R.choice(SORT_ARGS) + ")")
            else:
                out.append("#foreach($x in $sorter.sort(" + R.choice(SORT_ARGS) + ", " + R.choice(SORT_KEYS) + "))$!x.name:$!x.price #end")
        elif r < 0.9:
            out.append(coll_call())
        else:
            out.append(str_call())
    return "\n".join(out) + "\n"

LOOP_SRC = ["$items", "$tags", "$nums", "$l", "$map", "$user", "$data.items", "$missing", "$s", "$n",
            "[1..3]", "[3..1]", "[0..0]", "[$count..2]", "[-2..$count]", "$map.keySet()", "$map.values()",
            "$map.entrySet()", "$user.keySet()", "[]", "['a', $name, 1]", "{'a': 1, 'b': 2}", "$items[0].tags",
            "$data.get('array name')", "$sorter.sort($nums)", "$s.split(',')", "$esc"]

def fam_loops():
    out = []
    depth = 0
    for _ in range(R.randint(4, 14)):
        r = R.random()
        if r < 0.25 and depth < 3:
            v = pick("i", "x", "item", "e", "i")
            out.append("#foreach($%s %s %s)" % (v, pick("in", "in", "in", "IN"), R.choice(LOOP_SRC)))
            depth += 1
        elif r < 0.4 and depth > 0:
            out.append(pick("#end", "#end\n", "#{end}"))
            depth -= 1
        elif r < 0.55:
            out.append(pick("$velocityCount", "$velocityHasNext", "$foreach.count", "$foreach.index", "$foreach.hasNext",
                            "$foreach.first", "$foreach.last", "$foreach.parent.count", "$foreach.parent.parent.index",
                            "$!foreach.count", "$foreach", "$foreach.topmost", "$foreach.getCount()", "$foreach.isLast()",
                            "$i", "$!i", "$x.name", "$item.price", "$e.key=$e.value", "$i.getKey()", "$!e.value",
                            "$foreach.index + 1", "#set($idx = $foreach.index + 1)$idx", "$foreach.hasNext()"))
        elif r < 0.65:
            out.append("#if(%s)%s#end" % (pick("$foreach.last", "$velocityHasNext", "$foreach.count % 2 == 0",
                                               "$velocityCount == 1", "$i == 2", "$foreach.index > 0", "!$foreach.hasNext"),
                                          pick(",", "#break", "<hr>", "$i", "#break($foreach)", "#break($foreach.parent)")))
        elif r < 0.75:
            out.append(pick("#set($i = 'reset')", "#set($list = [])", "$list.add($i)", "#set($total = $total + 1)",
                            "#set($m2 = {})$m2.put($i, $velocityCount)", "$!list.add($i)", "$!tags.add('z')", "$!nums.remove(0)",
                            "#set($sum = $mathTool.add($sum, $i))"))
        else:
            out.append(any_output_expr())
    while depth > 0:
        out.append("#end")
        depth -= 1
    out.append(pick("[$!i][$!x][$!list][$!total][$!sum]", "$i $x", "$velocityCount $foreach.count"))
    return pick("\n", "", " ").join(out) + "\n"


STR_PIECES = ["Hello", " ", "$name", "$!name", "${name}", "$!{missing}", "$missing", "\\$name", "\\\\$name", "#if($flag)Y#else N#end",
              "#set($z = 1)$z", "''", "\"\"", "\\n", "\\t", "\\u00e9", "\\u0041", "\\uZZZZ", "##c", "#*c*#", "$items.size()",
              "$user.name", "$items[0].name", "#foreach($t in $tags)$t,#end", "100%", "$", "#", "\\", "'", "a\"\"b", "$esc.d",
              "\\#set", "$!{name}x", "$n.toString()", "#{if}(true)T#{end}", "#macro(q)Q#end", "#q()", "€", "😀", "\\\\"]

def strlit():
    q = pick('"', "'", '"')
    parts = []
    for _ in range(R.randint(1, 5)):
        p = R.choice(STR_PIECES)
        if q == "'" and '"' in p and chance(0.5):
            p = p.replace('"', "")
        if q == "'":
            p = p.replace("'", "''")
        else:
            p = p.replace("''", "'")
        parts.append(p)
    return q + "".join(parts) + q

def fam_strings():
    out = []
    for _ in range(R.randint(3, 9)):
        r = R.random()
        if r < 0.4:
            out.append("#set($x = %s)[$x]" % strlit())
        elif r < 0.6:
            out.append("#set($x = %s + %s)[$!x]" % (strlit(), pick(strlit(), "$n", "1", "$missing", "[1]")))
        elif r < 0.75:
            out.append("%s" % pick("$stringUtils.upperCase(%s)", "$esc.html(%s)", "#if(%s == 'Hello')eq#end", "$!{name.concat(%s)}", "#evaluate(%s)", "#foreach($c in [%s, %s])$c|#end") .replace("%s", strlit()))
        elif r < 0.9:
            out.append("#macro(s $a)<$a>#end#s(%s)" % strlit())
        else:
            out.append("$s.replace(%s, %s)" % (strlit(), strlit()))
    return "\n".join(out) + "\n"

NF_VALUES = ["$price", "$n", "$d", "$amount", "$qty", "'1234.5'", "'1,234.56'", "'abc'", "$missing", "0", "-0.0", "1234567.891",
             "0.005", "0.015", "2.5", "3.5", "-2.5", "1e20", "9999999.995", "0.125", "12", "-7", "2147483647", "9223372036854775807",
             "'$5.00'", "'50%'", "' 12 '", "1.0E-4", "100", "0.1", "$nums[0]", "true", "'12abc'", "'-'", "'1e3'", "'1.5E2'"]
NF_PATTERNS = NUM_FORMATS + ["'#,##0.###'", "'0.###E0'", "'##0.#####E0'", "'#,##0.00;(#,##0.00)'", "'0.00 ¤'", "'#%'", "'‰#'",
                             "'\\'#\\'#'", "'#,##,###'", "'0.0#'", "'#.'", "'.00'", "'0,000'", "'# ###'", "'00'", "'-#'"]
NF_LOCALES = ["'en_US'", "'de_DE'", "'fr_FR'", "'uk_UA'", "'en'", "'ru'", "$missing", "'xx'", "'ja_JP'", "'pt_BR'"]

def fam_numfmt():
    out = []
    for _ in range(R.randint(4, 12)):
        r = R.random()
        v = R.choice(NF_VALUES)
        if r < 0.4:
            out.append("$numberTool.format(%s, %s)" % (R.choice(NF_PATTERNS), v))
        elif r < 0.55:
            out.append("$numberTool.%s(%s)" % (pick("integer", "number", "currency", "percent", "toNumber"), v))
        elif r < 0.65:
            out.append("$numberTool.format(%s, %s, %s)" % (R.choice(NF_PATTERNS), v, R.choice(NF_LOCALES)))
        elif r < 0.75:
            out.append("$numberTool.%s(%s, %s)" % (pick("integer", "number", "currency", "percent", "toNumber"), pick("'default'", "'integer'", "'#0.0'", "'currency'"), v))
        elif r < 0.9:
            out.append("$mathTool.%s(%s%s)" % (pick("add", "sub", "mul", "div", "roundTo", "round", "toNumber", "toInteger", "toDouble", "max", "min", "idiv", "mod", "ceil", "floor", "abs"),
                                            v, pick("", ", " + R.choice(NF_VALUES))))
        else:
            out.append("#set($r = %s %s %s)$!r" % (v.replace("'", "\""), R.choice(ARITH), R.choice(NF_VALUES)))
    return "\n".join(out) + "\n"

ESC_INPUT = ["$name", "$s", "$firstName", "$email", "$code", "'<a href=\"x\">&amp;</a>'", "'Tom & Jerry'", "'it''s'", "'\u00e9\u00e8\u00ea \u00a9 \u00ae \u2122 \u20ac'",
             "'\u00a0nbsp'", "'line\nbreak'", "'\t'", "'\u0001ctl'", "'\u2028'", "'😀'", "'a+b=c&d'", "'/path/to x?y=1'", "'~*()!'",
             "'\\'", "'\"quoted\"'", "'</script>'", "'${x}'", "$tags", "$n", "$missing", "'ÆØÅ'", "'\u0394\u03b4'", "'%20'", "'a%2Bb'", "'%zz'"]

def fam_esc():
    out = []
    for _ in range(R.randint(4, 12)):
        m = R.choice(["html", "xml", "url", "unurl", "javascript", "java", "json", "sql", "propertyKey", "propertyValue", "csv", "unicode", "dollar"])
        out.append("[$esc.%s(%s)]" % (m, R.choice(ESC_INPUT)) if m != "dollar" else "[$esc.d$esc.h$esc.q$esc.s$esc.e$esc.b]")
    return "\n".join(out) + "\n"

def fam_macro():
    out = []
    names = ["m", "card", "li", "btn"]
    for nm in R.sample(names, R.randint(1, 3)):
        params = R.sample(["$a", "$b", "$c", "$items", "$x"], R.randint(0, 3))
        body = R.choice(["[%s]" % "|".join(params) if params else "[]",
                         "#foreach($i in %s)<$i>#end" % (params[0] if params else "$tags"),
                         "#if(%s)yes#{else}no#end" % (params[0] if params else "$flag"),
                         "#set($cnt = $!cnt + 1)$cnt:%s" % (params[0] if params else ""),
                         "$!bodyContent/%s" % ("|".join(params)),
                         "#if($!depth < 3)#set($depth = $!depth + 1)#%s(%s)#end" % (nm, ", ".join(params)),
                         "#set(%s = 'changed')" % (params[0] if params else "$g")])
        sep = pick(" ", ", ", " ")
        out.append("#macro(%s%s)%s#end" % (nm, (" " + sep.join(params)) if params else "", body))
    for _ in range(R.randint(2, 6)):
        nm = R.choice(names)
        args = [R.choice(["$name", "'lit'", "1", "$items", "[1, 2]", "{'k': 'v'}", "$missing", "$items[0]", "true", "\"$name!\"", "[1..3]", "$n", "$!name", "$map.a"]) for _ in range(R.randint(0, 3))]
        call = pick("#%s(%s)", "#@%s(%s)BODY $name#end", "#{%s}(%s)") % (nm, pick(" ", ", ").join(args))
        out.append(call)
    out.append(pick("", "[$!a][$!cnt][$!depth]", "$a $b"))
    return pick("\n", "").join(out) + "\n"

def fam_set():
    out = []
    for _ in range(R.randint(3, 10)):
        r = R.random()
        tgt = pick("$x", "$m.k", "$map.a", "$user.name", "$items[0].name", "$l[0]", "$m['k']", "$tags[0]", "$missing.k", "$s.k", "${x}", "$!x", "$list[5]", "$nums[-1]")
        rhs = pick(lit(), ref(False), arith_expr(), "[" + ", ".join(lit() for _ in range(R.randint(0, 3))) + "]",
                   "{" + ", ".join("%s: %s" % (pick("'a'", "\"b\"", "1", "$name", "true"), lit()) for _ in range(R.randint(0, 3))) + "}",
                   "[1..%d]" % R.randint(-2, 4), "$x", any_output_expr() if chance(0.2) else "$missing")
        out.append(pick("#set(%s = %s)", "#set( %s=%s )", "#{set}(%s = %s)", "#set (%s = %s)") % (tgt, rhs) + pick("", "\n", "[$!x][$!m][$!l]", " "))
    out.append("[$!x|$!m|$!map|$!user|$!items|$!l|$!tags]")
    if chance(0.5):
        out.insert(0, "#set($m = {})#set($l = [1, 2, 3])")
    return "\n".join(out) + "\n"

def fam_date():
    out = []
    for _ in range(R.randint(3, 8)):
        d = pick("$dateTool.toDate('yyyy-MM-dd', '2024-03-01')", "$dateTool.toDate('dd/MM/yyyy HH:mm', '01/05/2020 10:00')",
                 "$dateTool.toDate('yyyy-MM-dd', $missing)", "$dateTool.toDate('yyyy-MM-dd', 'bad')", "$dateTool.toDate($n)",
                 "$dateTool.toDate('yyyy-MM-dd''T''HH:mm:ss', '2024-02-29T23:59:59')", "$dateTool.toCalendar($dateTool.toDate('yyyy', '1999'))")
        r = R.random()
        if r < 0.5:
            out.append("$dateTool.format(%s, %s)" % (pick("'yyyy-MM-dd'", "'dd.MM.yyyy HH:mm'", "'EEEE, MMMM d, yyyy'", "'short'", "'medium'", "'long'", "'full'", "'default'",
                                                        "'yyyy-MM-dd''T''HH:mm:ssZ'", "'D w u'", "'hh a'", "'yy'", "'MMM'", "'E'", "'S'", "'z'", "'XXX'", "'bad'", "'G'", "'k K'"), d))
        elif r < 0.7:
            out.append("#set($dt = %s)$!dt.%s" % (d, pick("time", "year", "getYear()", "month", "day", "toString()", "class.simpleName", "getTime()")))
        else:
            out.append("$dateTool.%s(%s)" % (pick("getYear", "getMonth", "getDay", "getDayOfWeek", "getDayOfYear", "getWeek", "getValue", "getMillisecond"), d))
    return "\n".join(out) + "\n"


def _java_signatures():
    """class -> [(method, [parameter types], return type)] from the engine's jsigs.go."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "velocity", "jsigs.go")
    src = open(path, encoding="utf-8").read()
    sigs = {}
    for line in src[src.index("`") + 1:src.rindex("`")].strip().split("\n"):
        c, n, p, r = line.split("|")
        sigs.setdefault(c, []).append((n, [x for x in p.split(",") if x], r))
    return sigs

SIGS = _java_signatures()
SKIP = {"chars", "codePoints", "lines", "stream", "parallelStream", "spliterator", "iterator", "listIterator",
        "toArray", "getBytes", "toCharArray", "describeConstable", "resolveConstantDesc", "wait", "notify", "notifyAll",
        "getClassLoader", "getProtectionDomain", "getModule", "getPackage", "getResource", "getResourceAsStream",
        "getDeclaredMethods", "getMethods", "getFields", "getDeclaredFields", "getConstructors", "getDeclaredConstructors",
        "getMethod", "getDeclaredMethod", "getField", "getDeclaredField", "getConstructor", "getDeclaredConstructor",
        "getClasses", "getDeclaredClasses", "getAnnotations", "getDeclaredAnnotations", "getSigners", "getInterfaces",
        "getGenericInterfaces", "getTypeParameters", "getEnumConstants", "newInstance", "getRecordComponents",
        "getNestMembers", "getPermittedSubclasses", "cast", "arrayType", "componentType", "getAnnotation",
        "getAnnotationsByType", "getDeclaredAnnotation", "getDeclaredAnnotationsByType", "getGenericSuperclass",
        "getEnclosingMethod", "getEnclosingConstructor", "forName", "getNestHost", "getComponentType", "getSuperclass",
        "descriptorString", "isAnnotationPresent", "getDeclaringClass", "getEnclosingClass", "toGenericString", "getTypeName",
        "getCanonicalName", "getSimpleName", "getName", "getPackageName", "hashCode", "identityHashCode"}
RECV = {
    "String": ["$s", "$name", "#set($r = 'Hello World')$r", "#set($r = '')$r", "$email", "#set($r = 'ÆØÅ😀')$r", "#set($r = '  x  ')$r", "#set($r = '123')$r", "#set($r = 'a,b,,c')$r"],
    "Integer": ["$count", "#set($r = 42)$r", "#set($r = -7)$r", "#set($r = 0)$r"],
    "Long": ["#set($r = 2147483648)$r", "#set($r = -9223372036854775808)$r"],
    "Double": ["$d", "#set($r = 2.5)$r", "#set($r = -0.0)$r", "#set($r = 1.0E10)$r"],
    "BigInteger": ["#set($r = 9223372036854775808)$r", "#set($r = 123456789012345678901234567890)$r"],
    "BigDecimal": ["#set($r = 9223372036854775808 * 1.5)$r", "#set($r = 9223372036854775808 / 3.0)$r"],
    "Boolean": ["$b", "#set($r = true)$r", "#set($r = false)$r"],
    "Character": ["#set($r = $s.charAt(0))$r", "#set($z = 'Zed')#set($r = $z.charAt(0))$r"],
    "ArrayList": ["$tags", "$nums", "$items", "#set($r = [3, 1, 2])$r", "#set($r = [])$r", "#set($r = ['b', 'a', $missing])$r", "#set($r = [1..4])$r"],
    "LinkedHashMap": ["$map", "$user", "#set($r = {'a': 1, 'b': [2]})$r", "#set($r = {})$r"],
    "KeySet": ["$map.keySet()", "#set($r = {'x': 1, 'y': 2})$r.keySet()"],
    "Values": ["$map.values()", "#set($r = {'x': 1, 'y': 2})$r.values()"],
    "EntrySet": ["$map.entrySet()", "#set($r = {'x': 1, 'y': 2})$r.entrySet()"],
    "Entry": ["#foreach($r in $map.entrySet())#if($foreach.first)#set($e = $r)#end#end$e"],
    "Byte": ["#set($r = $count.byteValue())$r"],
    "Short": ["#set($r = $count.shortValue())$r"],
    "Float": ["#set($r = $d.floatValue())$r"],
}
ARGS = {
    "int": ["0", "1", "2", "-1", "5", "100", "$count", "$n", "2147483647", "'1'"],
    "long": ["1", "2147483648", "-1", "0", "$count"],
    "double": ["1.5", "0.1", "-2.0", "1", "$d", "1e300"],
    "float": ["1.5", "$d.floatValue()"],
    "short": ["$count.shortValue()", "1"], "byte": ["$count.byteValue()", "1"],
    "char": ["$s.charAt(0)", "$email.charAt(0)"],
    "boolean": ["true", "false", "$b"],
    "String": ["'a'", "''", "$missing", "'l'", "'World'", "$s", "'1'", "'-5'", "'x,y'"],
    "CharSequence": ["'a'", "''", "$missing", "'o'", "$s"],
    "Object": ["'a'", "1", "$missing", "[1]", "$map", "1.5", "true", "$s", "$count"],
    "Collection": ["[1, 2]", "$tags", "$missing", "[]", "$map.keySet()"],
    "List": ["[1, 2]", "$tags"], "Map": ["{'k': 1}", "$map", "$missing"],
    "Integer": ["1", "$count"], "Long": ["2147483648"], "Double": ["1.5"], "BigInteger": ["9223372036854775808"],
    "BigDecimal": ["$bd"], "Boolean": ["true"], "Character": ["$s.charAt(0)"], "Number": ["1", "1.5"],
}

def jarg(t):
    if t in ARGS and chance(0.9):
        return R.choice(ARGS[t])
    return R.choice(["$missing", "1", "'s'", "[1]", "1.5", "true"])

def fam_javaapi():
    out = []
    for _ in range(R.randint(3, 8)):
        cls = R.choice(list(RECV))
        cands = [m for m in SIGS.get(cls, []) if m[0] not in SKIP]
        if not cands:
            continue
        name, params, ret = R.choice(cands)
        recv = R.choice(RECV[cls])
        args = [jarg(p) for p in params]
        if chance(0.1) and args:
            args.pop()
        pre, _, var = recv.rpartition("$")
        if chance(0.3) and not params and name.startswith(("get", "is")) and len(name) > 3:
            prop = name[3:] if name.startswith("get") else name[2:]
            prop = prop[0].lower() + prop[1:]
            out.append("%s$%s.%s" % (pre, var, prop))
        else:
            out.append("%s$%s.%s(%s)" % (pre, pick("", "!") + var if pick(0, 1) else var, name, ", ".join(args)))
    return "#set($bd = 9223372036854775808 * 1.5)\n" + "\n".join(out) + "\n"


LEX_CTX = ["#if(", "#elseif(", "#set($a = ", "#set(", "$a.b(", "$a[", "${", "$!{", "#foreach($i in ", "#foreach(", "#macro(m ", "#m(", "",
           "#if($a ", "#set($a = [", "#set($a = {", "$a.b('x', ", "#{if}(", "#evaluate(", "#define(", "#break(", "#@m(", "#if($a == ",
           "#set($m = {'k': ", "#foreach($i in [1..", "$a.b($c.d(", "#if(!", "#if($a &&", "#set($a=", "#set($a.b = "]
LEX_CH = list("&|!=<>+-*/%()[]{},.:;'\"\\$#@~^?`") + ["\n", "\t", " ", " ", "1", "2", "a", "b", "$a", "$!b", "'s'", "\"t\"", "..", "&&", "||", "==", "!=", "<=", ">=", "-1", "1.5", "e5", "true", "in", "and", "#end", "#*", "*#", "##", "\r\n", "é", "😀", "\u00a0"]

def fam_lexical():
    out = []
    for _ in range(R.randint(1, 3)):
        t = R.choice(["", "text ", "x\n", "  "]) + R.choice(LEX_CTX) + "".join(R.choice(LEX_CH) for _ in range(R.randint(1, 6)))
        t += R.choice(["", ")", ")x#end", "]", "}", ")#end", "\n", " )"])
        out.append(t)
    return "\n".join(out) + R.choice(["", "\n"])


SCOPE_BITS = [
    "#foreach($i in [1..3])", "#foreach($i in $tags)", "#foreach($x in $items)", "#foreach($i in $map)", "#foreach($i in [])",
    "#if($foreach.hasNext)", "#if($i == 2)", "#if($velocityCount > 1)", "#if($x)", "#if($!i)", "#if($foreach.first)",
    "#macro(mm $i)", "#macro(nn $a $b)", "#define($d)", "#@mm($i)", "#@nn('p' $i)",
]
SCOPE_LEAVES = ["$i", "$!i", "$x", "$!x.name", "$foreach.count", "$foreach.index", "$velocityCount", "$foreach.parent.count",
                "$!foreach.parent.index", "$bodyContent", "$!bodyContent", "$a", "$b", "$d", "$!d", "#set($i = 'S')", "#set($x = $i)",
                "#break", "#break($foreach)", "#break($foreach.parent)", "#stop", "#mm($i)", "#mm('q')", "#nn($i, $x)", "#nn()",
                "#evaluate('$i')", "#evaluate('#set($i = 7)')", "#evaluate('#break')", "#set($c = $!c + 1)$c", "$foreach.hasNext",
                "$!velocityHasNext", "|", "\n", " ", "#{break}", "$d.length()", "#if($d)D#end", "$!{i}.", "#set($d = 'redef')"]

def fam_scope():
    out = []
    depth = 0
    for _ in range(R.randint(5, 18)):
        r = R.random()
        if r < 0.3 and depth < 4:
            out.append(R.choice(SCOPE_BITS))
            depth += 1
        elif r < 0.5 and depth > 0:
            out.append(pick("#end", "#{end}", "#end\n"))
            depth -= 1
        else:
            out.append(R.choice(SCOPE_LEAVES))
    out += ["#end"] * depth
    out.append(pick("[$!i][$!x][$!c][$!d]", "\n$i $x", "#mm('end')#nn(1 2)", "$velocityCount"))
    return "".join(out) + "\n"


DATE_STRS = ["'2024-03-01'", "'2024-02-29 23:59'", "'01/05/2020 10:00'", "'2020-05-01T00:00:00Z'", "'bad'", "''", "$missing", "'1495479520000'",
             "'2024-13-45'", "'0001-01-01'", "'99999-01-01'", "'2024-03-01T10:15:30+02:00'", "'Mar 1, 2024'", "'1 марта 2024'", "'Friday, March 1, 2024'", "'3/1/24'", "'Mar 1, 2024, 10:15:30 AM'", "'March 1, 2024 at 10:15:30 AM UTC'", "'2024-03-01 10:15'", "'01.03.2024'", "'Fri, 1 Mar 2024 10:15:30 +0000'"]
DATE_FMTS = ["'yyyy-MM-dd'", "'yyyy-MM-dd HH:mm'", "'dd/MM/yyyy HH:mm'", "'yyyy-MM-dd''T''HH:mm:ss''Z'" + "''", "'yyyy-MM-dd''T''HH:mm:ssXXX'", "'MMM d, yyyy'",
             "'d MMMM yyyy'", "'EEE, d MMM yyyy HH:mm:ss Z'", "'yyyyMMdd'", "'short'", "'medium'", "'long'", "'full'", "'default'", "'iso'", "'yyyy-MM'",
             "'w'", "'YYYY'", "'h:mm a'", "'HH:mm:ss.SSS'", "'zzzz'", "'yy-M-d'", "'MMMMM'", "'EEEEE'", "'LLLL'", "'ccc'", "'K'"]
DATE_LOCALES = ["'en_US'", "'de_DE'", "'fr'", "'uk_UA'", "'ru_RU'", "'ja_JP'", "'es'", "'pt_BR'", "'xx_YY'", "$missing", "'en_GB'"]

def fam_date2():
    out = []
    for _ in range(R.randint(3, 8)):
        d = "$dateTool.toDate(%s, %s)" % (R.choice(DATE_FMTS), R.choice(DATE_STRS))
        if chance(0.3):
            d = "$dateTool.toDate(%s, %s, %s)" % (R.choice(DATE_FMTS), R.choice(DATE_STRS), R.choice(DATE_LOCALES))
        r = R.random()
        if r < 0.45:
            out.append("[$!dateTool.format(%s, %s)]" % (R.choice(DATE_FMTS), d))
        elif r < 0.7:
            out.append("[$!dateTool.format(%s, %s, %s)]" % (R.choice(DATE_FMTS), d, R.choice(DATE_LOCALES)))
        elif r < 0.85:
            out.append("[$!dateTool.format(%s, %s, %s, $dateTool.timeZone)]" % (R.choice(DATE_FMTS), d, R.choice(DATE_LOCALES)))
        else:
            out.append("[$!dateTool.%s(%s)]" % (pick("getYear", "getMonth", "getDay", "toCalendar", "getDate"), d))
    return "\n".join(out) + "\n"

FAMILIES = {"email": fam_email, "body": fam_body, "arith": fam_arith, "strmeth": fam_strmeth,
            "ws": fam_ws, "punct": fam_punct, "directives": fam_directives, "malformed": fam_malformed,
            "methods": fam_methods, "loops": fam_loops, "strings": fam_strings, "numfmt": fam_numfmt,
            "esc": fam_esc, "macro": fam_macro, "set": fam_set, "date": fam_date,
            "javaapi": fam_javaapi, "lexical": fam_lexical, "scope": fam_scope,
            "date2": fam_date2}

def main():
    outdir, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fams = sys.argv[4:] or list(FAMILIES)
    os.makedirs(outdir, exist_ok=True)
    R.seed(seed)
    for i in range(n):
        f = fams[i % len(fams)]
        t = FAMILIES[f]()
        name = "%s_%05d" % (f, i)
        with open(os.path.join(outdir, name + ".vm"), "w", encoding="utf-8", newline="") as fh:
            fh.write(t)
        with open(os.path.join(outdir, name + ".json"), "w", encoding="utf-8") as fh:
            fh.write(context())

main()
