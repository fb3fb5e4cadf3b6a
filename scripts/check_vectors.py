#!/usr/bin/env python3
"""Independent checker of Regula's canonical formats (Python 3, standard library only).

It re-implements, from docs/record-format.md and without any Regula code:

* RFC 8785 JSON canonicalization (JCS): numbers as ECMAScript writes them (from
  Python's shortest round-trip repr, laid out again here), object keys sorted by UTF-16
  code units, RFC 8785 string escapes, and the I-JSON rule that an integer no IEEE 754
  double holds exactly, written with the integer's own digits, has no canonical form;
* the canonical bytes of an audit record of format 2, and their SHA-256.

and checks, under crates/core/tests/vectors/:

  rfc8785/      input/*.json must canonicalize to output/*.json (and outhex/*.txt)
  numbers.txt   each double (64-bit pattern in hex) must be written as its ES text
  records/      (when present) each record's canonical bytes and hash

Usage:
  python3 scripts/check_vectors.py              check every vector
  python3 scripts/check_vectors.py --self-test  check this script against hand-built cases

Exit status 0 when everything passes, 1 when anything differs (each failure is printed
with the file and what differs).
"""

import argparse
import calendar
import datetime
import hashlib
import json
import math
import re
import struct
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "crates" / "core" / "tests" / "vectors"


class CanonicalError(ValueError):
    """A value has no canonical form, or a record is not well formed."""


# ---------------------------------------------------------------- JCS (RFC 8785)


def es_number(x):
    """ECMAScript Number.prototype.toString of a finite float (ECMA-262 7.1.12.1)."""
    if not math.isfinite(x):
        raise CanonicalError("%r has no JSON form (RFC 8785 allows finite numbers only)" % x)
    if x == 0:
        return "0"  # also -0
    if x < 0:
        return "-" + es_number(-x)
    # repr gives the shortest digits that read back to x, nearest to x (ties to even),
    # in one of the forms 123.0, 0.001, 1e-05, 1.5e+16.
    mantissa, _, exponent = repr(x).partition("e")
    exponent = int(exponent) if exponent else 0
    integer, _, fraction = mantissa.partition(".")
    all_digits = integer + fraction
    significant = all_digits.lstrip("0")
    leading_zeros = len(all_digits) - len(significant)
    s = significant.rstrip("0")
    k = len(s)
    # value = 0.s * 10^n
    n = len(integer) - leading_zeros + exponent
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    sign = "+" if e >= 0 else "-"
    if k == 1:
        return s + "e" + sign + str(abs(e))
    return s[0] + "." + s[1:] + "e" + sign + str(abs(e))


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def jcs_string(s, path="$"):
    """A JSON string escaped per RFC 8785 3.2.2.2."""
    out = ['"']
    for c in s:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        elif 0xD800 <= ord(c) <= 0xDFFF:
            raise CanonicalError("%s: lone surrogate U+%04X is not Unicode text" % (path, ord(c)))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def utf16_key(s):
    """Sort key: the string's UTF-16 code units (big-endian bytes compare the same way)."""
    return s.encode("utf-16-be", "surrogatepass")


def _member_path(path, key):
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return path + "." + key
    return path + "[" + jcs_string(key) + "]"


def jcs(value, path="$"):
    """The RFC 8785 canonical text of a value read by parse_json."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        # JCS numbers are doubles; an integer no double holds is refused (I-JSON).
        try:
            as_double = float(value)
        except OverflowError:
            as_double = math.inf
        # Beyond 2^53 an integer has a canonical form only when ECMAScript writes its
        # nearest double with the integer's own digits (10^16 does; 2^63, written
        # 9223372036854776000, does not): the text must read back to the same integer.
        if not math.isfinite(as_double) or es_number(as_double) != str(value):
            raise CanonicalError(
                "%s: the integer %d is not exactly an IEEE 754 double written with its own digits; "
                "it has no canonical form" % (path, value)
            )
        return es_number(as_double)
    if isinstance(value, float):
        return es_number(value)
    if isinstance(value, str):
        return jcs_string(value, path)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)) + "]"
    if isinstance(value, dict):
        members = sorted(value.items(), key=lambda kv: utf16_key(kv[0]))
        return (
            "{"
            + ",".join(jcs_string(k, path) + ":" + jcs(v, _member_path(path, k)) for k, v in members)
            + "}"
        )
    raise CanonicalError("%s: %r is not a JSON value" % (path, value))


def _unique_members(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise CanonicalError("duplicate object key(s) %s: not I-JSON, no canonical form" % dup)
    return dict(pairs)


def _no_constant(name):
    raise CanonicalError("%s is not JSON" % name)


def parse_json(text):
    """JSON text to Python values: integers as int, other numbers as float (the nearest
    double), duplicate keys and NaN/Infinity refused."""
    return json.loads(text, object_pairs_hook=_unique_members, parse_constant=_no_constant)


def jcs_bytes(value):
    return jcs(value).encode("utf-8")


# ---------------------------------------------------------------- record format 2

MAGIC = b"regula-record\x00"
RECORD_KEYS = [
    "format", "instance", "seq", "id", "at", "recorded_at", "definition", "actor", "role",
    "action", "payload", "from", "outcome", "note", "rules", "prev_hash", "hash",
]
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")


def _str(s, field):
    if not isinstance(s, str):
        raise CanonicalError("%s: expected a string, found %r" % (field, s))
    try:
        b = s.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError("%s: not valid Unicode text" % field)
    return struct.pack(">I", len(b)) + b


def _opt(s, field):
    return b"\x00" if s is None else b"\x01" + _str(s, field)


def _uuid(s, field):
    try:
        u = uuid.UUID(s)
    except (ValueError, TypeError, AttributeError):
        raise CanonicalError("%s: not a UUID: %r" % (field, s))
    if str(u) != s:
        raise CanonicalError("%s: UUID not in lowercase hyphenated form: %r" % (field, s))
    return u.bytes


def _uint(v, fmt, field):
    bits = {">H": 16, ">I": 32, ">Q": 64}[fmt]
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 2**bits:
        raise CanonicalError("%s: expected an unsigned %d-bit integer, found %r" % (field, bits, v))
    return struct.pack(fmt, v)


def _time(s, field):
    m = _TIME.fullmatch(s) if isinstance(s, str) else None
    if not m:
        raise CanonicalError("%s: not an RFC 3339 UTC time like 2023-03-01T02:00:00Z: %r" % (field, s))
    y, mo, d, h, mi, sec = (int(g) for g in m.groups()[:6])
    try:
        datetime.datetime(y, mo, d, h, mi, sec)
    except ValueError as e:
        raise CanonicalError("%s: %r: %s" % (field, s, e))
    seconds = calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0))
    nanos = int((m.group(7) or "").ljust(9, "0"))
    return struct.pack(">qI", seconds, nanos)


def _digest(s, field):
    if not isinstance(s, str) or not re.fullmatch(r"[0-9a-f]{64}", s):
        raise CanonicalError("%s: not 64 lowercase hex digits: %r" % (field, s))
    return bytes.fromhex(s)


def record_fields(rec):
    """The canonical bytes of a format-2 record, as a list of (field, bytes)."""
    if not isinstance(rec, dict):
        raise CanonicalError("a record is a JSON object")
    unknown = [k for k in rec if k not in RECORD_KEYS]
    if unknown:
        raise CanonicalError("fields this checker does not know (not in format 2): %s" % unknown)
    missing = [k for k in RECORD_KEYS if k not in rec and k not in ("note", "rules", "hash")]
    if missing:
        raise CanonicalError("missing fields: %s" % missing)
    if rec["format"] != 2 or isinstance(rec["format"], bool):
        raise CanonicalError("format: this checker knows format 2, found %r" % rec["format"])
    definition, actor, outcome = rec["definition"], rec["actor"], rec["outcome"]
    if not isinstance(definition, dict) or set(definition) != {"name", "version"}:
        raise CanonicalError("definition: expected {name, version}, found %r" % definition)
    if not isinstance(actor, dict) or "id" not in actor or set(actor) - {"id", "name", "unit"}:
        raise CanonicalError("actor: expected {id, name?, unit?}, found %r" % actor)
    fields = [
        ("magic", MAGIC),
        ("format", _uint(rec["format"], ">H", "format")),
        ("instance", _uuid(rec["instance"], "instance")),
        ("seq", _uint(rec["seq"], ">Q", "seq")),
        ("id", _uuid(rec["id"], "id")),
        ("at", _time(rec["at"], "at")),
        ("recorded_at", _time(rec["recorded_at"], "recorded_at")),
        ("definition.name", _str(definition["name"], "definition.name")),
        ("definition.version", _uint(definition["version"], ">I", "definition.version")),
        ("actor.id", _str(actor["id"], "actor.id")),
        ("actor.name", _opt(actor.get("name"), "actor.name")),
        ("actor.unit", _opt(actor.get("unit"), "actor.unit")),
        ("role", _str(rec["role"], "role")),
        ("action", _str(rec["action"], "action")),
        ("payload", _str(jcs(rec["payload"], "payload"), "payload")),
        ("from", _str(rec["from"], "from")),
    ]
    kind = outcome.get("kind") if isinstance(outcome, dict) else None
    if kind == "created" and set(outcome) == {"kind"}:
        fields.append(("outcome", b"\x00"))
    elif kind == "accepted" and set(outcome) == {"kind", "to"}:
        fields.append(("outcome", b"\x01" + _str(outcome["to"], "outcome.to")))
    elif kind == "refused" and set(outcome) == {"kind", "reasons"} and isinstance(outcome["reasons"], list):
        parts = [b"\x02", struct.pack(">I", len(outcome["reasons"]))]
        for i, r in enumerate(outcome["reasons"]):
            where = "outcome.reasons[%d]" % i
            if not isinstance(r, dict) or set(r) - {"code", "guard", "message"} or "message" not in r:
                raise CanonicalError("%s: expected {code, guard?, message}, found %r" % (where, r))
            message = r["message"]
            if not isinstance(message, dict) or set(message) != {"zh", "en"}:
                raise CanonicalError("%s.message: expected {zh, en}, found %r" % (where, message))
            parts += [
                _str(r.get("code"), where + ".code"),
                _opt(r.get("guard"), where + ".guard"),
                _str(message["zh"], where + ".message.zh"),
                _str(message["en"], where + ".message.en"),
            ]
        fields.append(("outcome", b"".join(parts)))
    else:
        raise CanonicalError("outcome: not created, accepted {to} or refused {reasons}: %r" % (outcome,))
    fields.append(("note", _opt(rec.get("note"), "note")))
    if "rules" in rec:
        fields.append(("rules", b"\x01" + _digest(rec["rules"], "rules")))
    else:
        fields.append(("rules", b"\x00"))
    fields.append(("prev_hash", _digest(rec["prev_hash"], "prev_hash")))
    return fields


def record_bytes(rec):
    return b"".join(b for _, b in record_fields(rec))


def field_at(fields, offset):
    """The name of the field holding byte `offset`."""
    start = 0
    for name, b in fields:
        if offset < start + len(b):
            return name
        start += len(b)
    return "(past the end)"


# ---------------------------------------------------------------- checks


class Report:
    def __init__(self, quiet=False):
        self.passed = 0
        self.failed = 0
        self.quiet = quiet
        self.messages = []

    def ok(self):
        self.passed += 1

    def fail(self, where, what):
        self.failed += 1
        self.messages.append("FAIL %s: %s" % (where, what))
        if not self.quiet:
            print(self.messages[-1])

    def check(self, where, got, expected, what="canonical form"):
        if got == expected:
            self.ok()
            return True
        offset = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        self.fail(where, "%s differs at byte %d:\n  expected %r\n  got      %r" % (what, offset, expected, got))
        return False


def _rel(path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def check_rfc8785(report):
    base = VECTORS / "rfc8785"
    inputs = sorted((base / "input").glob("*.json"))
    if not inputs:
        report.fail(_rel(base / "input"), "no input vectors found")
    for path in inputs:
        where = _rel(path)
        try:
            got = jcs_bytes(parse_json(path.read_text(encoding="utf-8")))
        except (CanonicalError, ValueError) as e:
            report.fail(where, str(e))
            continue
        expected = (base / "output" / path.name).read_bytes()
        if not report.check(where, got, expected):
            continue
        hexfile = base / "outhex" / (path.stem + ".txt")
        if hexfile.exists():
            expected_hex = bytes.fromhex("".join(hexfile.read_text().split()))
            report.passed -= 1  # one vector, two checks
            report.check(_rel(hexfile), got, expected_hex, "bytes")


def check_numbers(report):
    path = VECTORS / "numbers.txt"
    if not path.exists():
        report.fail(_rel(path), "missing")
        return
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        where = "%s line %d" % (_rel(path), i)
        try:
            bits, expected = line.split(" ")
            x = struct.unpack(">d", bytes.fromhex(bits))[0]
            got = es_number(x)
        except (ValueError, CanonicalError) as e:
            report.fail(where, "unreadable line: %s" % e)
            continue
        if got != expected:
            report.fail(where, "bits %s: expected %s, got %s" % (bits, expected, got))
        elif float(expected) != x:
            report.fail(where, "bits %s: %s does not read back as the same double" % (bits, expected))
        else:
            report.ok()


def check_record_vector(report, path):
    where = _rel(path)
    try:
        vector = parse_json(path.read_text(encoding="utf-8"))
        if not isinstance(vector, dict):
            raise CanonicalError("a record vector is a JSON object")
        missing = [k for k in ("description", "record_json", "canonical_hex", "hash") if k not in vector]
        if missing:
            raise CanonicalError("missing keys %s" % missing)
        record = parse_json(vector["record_json"])
        fields = record_fields(record)
    except (CanonicalError, ValueError) as e:
        report.fail(where, str(e))
        return
    got = b"".join(b for _, b in fields)
    expected = bytes.fromhex(vector["canonical_hex"])
    if got != expected:
        offset = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        report.fail(
            where,
            "canonical bytes differ at byte %d, in field %s (%d bytes computed, %d expected)"
            % (offset, field_at(fields, offset), len(got), len(expected)),
        )
        return
    digest = hashlib.sha256(got).hexdigest()
    if digest != vector["hash"]:
        report.fail(where, "hash: expected %s, computed %s" % (vector["hash"], digest))
    elif record.get("hash") != digest:
        report.fail(where, "the record's own hash %s is not the computed %s" % (record.get("hash"), digest))
    else:
        report.ok()


def check_records(report):
    folder = VECTORS / "records"
    if not folder.is_dir():
        print("note: %s does not exist; no record vectors checked" % _rel(folder))
        return
    files = sorted(folder.glob("*.json"))
    if not files:
        report.fail(_rel(folder), "the folder holds no *.json record vectors")
    for path in files:
        check_record_vector(report, path)


# ---------------------------------------------------------------- self-test


def self_test(report):
    """Checks this script against cases built by hand from the specification."""

    def expect(name, got, expected):
        if got == expected:
            report.ok()
        else:
            report.fail("self-test " + name, "expected %r, got %r" % (expected, got))

    def expect_error(name, fn, fragment):
        try:
            got = fn()
        except CanonicalError as e:
            if fragment in str(e):
                report.ok()
            else:
                report.fail("self-test " + name, "error %r does not mention %r" % (str(e), fragment))
            return
        report.fail("self-test " + name, "expected an error, got %r" % (got,))

    # Numbers: each layout branch and its boundaries.
    for x, text in [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (123.0, "123"), (1e20, "100000000000000000000"),
        (1e21, "1e+21"), (1.5e21, "1.5e+21"), (1e-6, "0.000001"), (1.5e-6, "0.0000015"), (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.1 + 0.2, "0.30000000000000004"), (2.0**-25, "2.9802322387695312e-8"), (2.0**63, "9223372036854776000"),
        (1e16, "10000000000000000"), (123.456, "123.456"), (0.09144338512092887, "0.09144338512092887"),
    ]:
        expect("es_number(%r)" % x, es_number(x), text)
    # Integers: written as their double, refused when no double holds them.
    expect("int 2^53", jcs(2**53), "9007199254740992")
    expect("int 10^16", jcs(10**16), "10000000000000000")
    expect("int 9223372036854776000", jcs(9223372036854776000), "9223372036854776000")
    expect_error("int 2^63", lambda: jcs(2**63), "9223372036854775808")
    expect_error("int 2^53+1", lambda: jcs({"a": [0, 1, 2, {"b": 2**53 + 1}]}), "$.a[3].b")
    expect_error("int 2^64-1", lambda: jcs(2**64 - 1), "18446744073709551615")
    expect_error("int 10^400", lambda: jcs(10**400), "not exactly")
    # Strings and keys.
    expect("escapes", jcs("\u0000\u001f\"\\/\b\t\n\f\r\u007f\u2028é😂"),
           '"\\u0000\\u001f\\"\\\\/\\b\\t\\n\\f\\r\u007f\u2028é😂"')
    expect("utf-16 order", jcs({"\uffff": 3, "\U00010000": 1, "\ue000": 2, "a": 0}),
           '{"a":0,"\U00010000":1,"\ue000":2,"\uffff":3}')
    expect("nesting", jcs(parse_json('{"b": [1, 2.50, {"d": null, "c": true}], "a": "x"}')),
           '{"a":"x","b":[1,2.5,{"c":true,"d":null}]}')
    expect_error("duplicate keys", lambda: parse_json('{"a":1,"a":2}'), "duplicate")
    expect_error("NaN", lambda: parse_json("[NaN]"), "NaN")
    expect_error("lone surrogate", lambda: jcs(parse_json('["\\ud800"]')), "surrogate")

    # A record of format 2 built by hand; each expected field is written out from the
    # layout in docs/record-format.md.
    record = {
        "format": 2,
        "instance": "0190a5b2-0000-7000-8000-000000000001",
        "seq": 3,
        "id": "0190a5b2-0000-7000-8000-0000000000ff",
        "at": "2023-03-01T02:00:00.123456789Z",
        "recorded_at": "2023-03-01T02:00:05Z",
        "definition": {"name": "std", "version": 1},
        "actor": {"id": "li.na", "unit": "立案庭"},
        "role": "clerk",
        "action": "submit",
        "payload": {"b": [1, 2.5, 1e21], "a": "x\"\n😂"},
        "from": "draft",
        "outcome": {"kind": "refused", "reasons": [
            {"code": "guard", "guard": "g", "message": {"zh": "空", "en": "empty"}},
            {"code": "role", "message": {"zh": "", "en": "r"}},
        ]},
        "note": None,
        "prev_hash": "ab" * 32,
    }
    payload = '{"a":"x\\"\\n😂","b":[1,2.5,1e+21]}'.encode("utf-8")
    expected = b"".join([
        b"regula-record\x00",                      # magic
        bytes.fromhex("0002"),                     # format 2
        bytes.fromhex("0190a5b2000070008000000000000001"),  # instance
        bytes.fromhex("0000000000000003"),         # seq 3
        bytes.fromhex("0190a5b20000700080000000000000ff"),  # id
        bytes.fromhex("0000000063feb1a0 075bcd15"),  # at: 1677636000 s, 123456789 ns
        bytes.fromhex("0000000063feb1a5 00000000"),  # recorded_at: 1677636005 s, 0 ns
        bytes.fromhex("00000003") + b"std",        # definition.name
        bytes.fromhex("00000001"),                 # definition.version 1
        bytes.fromhex("00000005") + b"li.na",      # actor.id
        b"\x00",                                   # actor.name: none
        b"\x01" + bytes.fromhex("00000009") + "立案庭".encode("utf-8"),  # actor.unit
        bytes.fromhex("00000005") + b"clerk",      # role
        bytes.fromhex("00000006") + b"submit",     # action
        bytes.fromhex("00000023") + payload,       # payload: 35 bytes of JCS
        bytes.fromhex("00000005") + b"draft",      # from
        b"\x02" + bytes.fromhex("00000002"),       # outcome refused, 2 reasons
        bytes.fromhex("00000005") + b"guard" + b"\x01" + bytes.fromhex("00000001") + b"g"
        + bytes.fromhex("00000003") + "空".encode("utf-8") + bytes.fromhex("00000005") + b"empty",
        bytes.fromhex("00000004") + b"role" + b"\x00" + bytes.fromhex("00000000")
        + bytes.fromhex("00000001") + b"r",
        b"\x00",                                   # note: none
        b"\x00",                                   # rules: none
        b"\xab" * 32,                              # prev_hash
    ])
    expect("payload length", len(payload), 0x23)
    got = record_bytes(record)
    expect("record bytes", got.hex(), expected.hex())
    # The same record as a vector file would hold it, through check_record_vector.
    record["hash"] = hashlib.sha256(expected).hexdigest()
    for variant, change in [
        ("accepted", {"outcome": {"kind": "accepted", "to": "review"}, "note": "n"}),
        ("created", {"outcome": {"kind": "created"}, "actor": {"id": "a", "name": "A"}}),
        ("citing rules", {"outcome": {"kind": "created"}, "rules": "cd" * 32}),
    ]:
        r = dict(record, **change)
        tail = {
            "accepted": b"\x01" + bytes.fromhex("00000006") + b"review" + b"\x01" + bytes.fromhex("00000001") + b"n"
            + b"\x00",
            "created": b"\x00" + b"\x00" + b"\x00",
            "citing rules": b"\x00" + b"\x00" + b"\x01" + b"\xcd" * 32,
        }[variant]
        b = record_bytes(r)
        expect("record %s tail" % variant, b[-(32 + len(tail)):-32].hex(), tail.hex())
    actor = dict(record_fields(dict(record, actor={"id": "a", "name": "A"})))
    expect("actor with a name", [actor["actor.id"], actor["actor.name"], actor["actor.unit"]],
           [bytes.fromhex("00000001") + b"a", b"\x01" + bytes.fromhex("00000001") + b"A", b"\x00"])
    expect_error("format 1", lambda: record_bytes(dict(record, format=1)), "format 2")
    expect_error("unknown field", lambda: record_bytes(dict(record, extra=1)), "extra")
    expect_error("bad time", lambda: record_bytes(dict(record, at="2023-03-01T02:00:00+01:00")), "at")
    expect_error("bad payload", lambda: record_bytes(dict(record, payload=[2**53 + 1])), "payload[0]")
    expect_error("upper-case uuid", lambda: record_bytes(dict(record, id=record["id"].upper())), "id")

    # A record vector file, written to a temporary folder and checked like the real ones.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.json"
        vector = {
            "description": "self-test",
            "record_json": json.dumps(record, ensure_ascii=False, separators=(",", ":")),
            "canonical_hex": expected.hex(),
            "hash": record["hash"],
        }
        good.write_text(json.dumps(vector), encoding="utf-8")
        inner = Report(quiet=True)
        check_record_vector(inner, good)
        expect("record vector passes", (inner.passed, inner.failed), (1, 0))
        bad = Path(tmp) / "bad.json"
        tampered = dict(record, payload={"b": [1, 2.5, 1e21], "a": "y\"\n😂"})
        vector["record_json"] = json.dumps(tampered, ensure_ascii=False, separators=(",", ":"))
        bad.write_text(json.dumps(vector), encoding="utf-8")
        inner = Report(quiet=True)
        check_record_vector(inner, bad)
        expect("altered vector fails", (inner.passed, inner.failed), (0, 1))
        expect("altered vector names the field", "in field payload" in "".join(inner.messages), True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--self-test", action="store_true", help="check this script against hand-built cases")
    args = parser.parse_args()
    report = Report()
    if args.self_test:
        self_test(report)
        print("self-test: %d checks: %d passed, %d failed" % (report.passed + report.failed, report.passed, report.failed))
    else:
        check_rfc8785(report)
        check_numbers(report)
        check_records(report)
        print("checked %d vectors: %d passed, %d failed" % (report.passed + report.failed, report.passed, report.failed))
    return 0 if report.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
