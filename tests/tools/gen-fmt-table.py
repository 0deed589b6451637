#!/usr/bin/env python3
"""Tables of src/fmt.c (shortest float formatting) and of its unit test, with exact integer arithmetic.

  gen-fmt-table.py table            the g(k) table of Giulietti's Schubfach algorithm, for src/fmt.c: for
                                    each decimal exponent k in [-324, 292], g = floor(10^-k *
                                    2^(125 - floor(log2(10^-k)))) + 1, a 126-bit integer split into its
                                    high and low 63 bits. Also checks the multiply-and-shift shortcuts
                                    fmt.c uses for floor(log10(2^q)), floor(log10(3/4 2^q)) and
                                    floor(log2(10^e)) over every exponent of a double.
  gen-fmt-table.py vectors N SEED   N doubles (random bit patterns, decimals, powers of two, subnormals,
                                    large integers) with Go's strconv.FormatFloat(v, 'g', -1, 64) text,
                                    built from Python's repr (the shortest string that round-trips, the
                                    closest to v when several are that short), for tests/unit/fmt_vectors.h.
"""
import math
import random
import struct
import sys
from decimal import Decimal
from fractions import Fraction

K_MIN, K_MAX = -324, 292


def flog2pow10(e):
    """floor(log2(10^e)), exactly."""
    if e >= 0:
        return (10 ** e).bit_length() - 1
    return -((10 ** -e - 1).bit_length())  # 10^-e is no power of two for -e > 0


def floor_log10(x):
    k = 0
    if x >= 1:
        while 10 ** (k + 1) <= x:
            k += 1
    else:
        while Fraction(10) ** k > x:
            k -= 1
    return k


def check_shortcuts():
    for q in range(-1074 - 2, 972 + 3):
        p = Fraction(2) ** q
        assert (q * 661971961083) >> 41 == floor_log10(p), q
        assert (q * 661971961083 - 274743187321) >> 41 == floor_log10(Fraction(3, 4) * p), q
    for e in range(-K_MAX, -K_MIN + 1):
        assert (e * 913124641741) >> 38 == flog2pow10(e), e


def table():
    check_shortcuts()
    print("/* g(k) = floor(10^-k * 2^(125 - floor(log2(10^-k)))) + 1 for k = %d .. %d, as its high and low 63" % (K_MIN, K_MAX))
    print(" * bits: written by tests/tools/gen-fmt-table.py, which checks the shortcuts below as well. */")
    print("static const uint64_t g_table[%d][2] = {" % (K_MAX - K_MIN + 1))
    for k in range(K_MIN, K_MAX + 1):
        r = flog2pow10(-k) - 125
        beta = Fraction(10) ** -k / Fraction(2) ** r
        g = beta.numerator // beta.denominator + 1
        assert 2 ** 125 <= g < 2 ** 126
        print("\t{ 0x%016x, 0x%016x }," % (g >> 63, g & (2 ** 63 - 1)))
    print("};")


def go_g(v):
    """Go's strconv.FormatFloat(v, 'g', -1, 64), from Python's shortest repr digits."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    sign, digits, exp = Decimal(repr(v)).as_tuple()
    d = "".join(map(str, digits))
    dp = len(d) + exp  # v = 0.d * 10^dp
    stripped = d.lstrip("0")
    dp -= len(d) - len(stripped)
    d = stripped.rstrip("0")
    x = dp - 1
    s = "-" if sign else ""
    if x < -4 or x >= 6:  # 'g' with the shortest digits decides with a precision of 6
        return s + d[0] + ("." + d[1:] if len(d) > 1 else "") + "e" + ("-" if x < 0 else "+") + "%02d" % abs(x)
    if dp <= 0:
        return s + "0." + "0" * -dp + d
    if len(d) <= dp:
        return s + d + "0" * (dp - len(d))
    return s + d[:dp] + "." + d[dp:]


def bits_of(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def vectors(n, seed):
    rng = random.Random(seed)
    print("/* Written by tests/tools/gen-fmt-table.py vectors %d %d: bit patterns of doubles and Go's" % (n, seed))
    print(" * strconv.FormatFloat(v, 'g', -1, 64) of each, from Python's shortest repr. */")
    print("static const struct {\n\tuint64_t bits;\n\tconst char *go;\n} fmt_vectors[] = {")
    i = 0
    while i < n:
        k = i % 6
        if k == 0:
            b = rng.getrandbits(64)
        elif k == 1:
            b = bits_of(rng.randrange(10 ** 12) / 10 ** rng.randrange(0, 16))
        elif k == 2:
            b = bits_of(rng.random() * 10 ** rng.randrange(-10, 20))
        elif k == 3:
            b = (rng.randrange(2047) << 52) | (0 if rng.random() < 0.3 else rng.getrandbits(52)) | (rng.getrandbits(1) << 63)
        elif k == 4:
            b = rng.randrange(1, 1 << 20) | (rng.getrandbits(1) << 63)
        else:
            b = bits_of(float(rng.randrange(1 << 62)) * rng.choice([1, 1e-3, 1e3, 0.1]))
        v = struct.unpack("<d", struct.pack("<Q", b))[0]
        if math.isnan(v) or math.isinf(v):
            continue
        print('\t{ UINT64_C(0x%016x), "%s" },' % (b, go_g(v)))
        i += 1
    print("};")


if __name__ == "__main__":
    if sys.argv[1:2] == ["table"]:
        table()
    elif sys.argv[1:2] == ["vectors"] and len(sys.argv) == 4:
        vectors(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
