#!/usr/bin/python3
"""Independent readers of nodex's two expositions, for tests/suites/protobuf.sh.

  promproto.py proto FILE   decodes a delimited stream of io.prometheus.client.MetricFamily messages
                            with Google's protobuf runtime (Debian python3-protobuf)
  promproto.py text FILE    parses the text format with the Prometheus Python client's parser (Debian
                            python3-prometheus-client); HELP and TYPE lines are read here

Both print the same canonical listing, one line per family ("family NAME TYPE HELP") and one per sample
in the order of the exposition ("NAME{label="value",...} VALUE"), so the two can be compared with diff.
Summaries and histograms are flattened the way Prometheus ingests them (quantile series, _bucket with an
le="+Inf" bucket from the count when the message has none, _sum, _count). Values and the le/quantile
bounds are printed as Python floats, so "1e+06" and 1000000.0 compare equal.

The message schema is built here from client_model's metrics.proto field numbers and types (proto2),
not from nodex's code.
"""
import math
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED

# message -> [(name, number, label, type, type_name)]
SCHEMA = {
    "LabelPair": [("name", 1, OPT, F.TYPE_STRING, None), ("value", 2, OPT, F.TYPE_STRING, None)],
    "Gauge": [("value", 1, OPT, F.TYPE_DOUBLE, None)],
    "Counter": [("value", 1, OPT, F.TYPE_DOUBLE, None)],
    "Quantile": [("quantile", 1, OPT, F.TYPE_DOUBLE, None), ("value", 2, OPT, F.TYPE_DOUBLE, None)],
    "Summary": [("sample_count", 1, OPT, F.TYPE_UINT64, None), ("sample_sum", 2, OPT, F.TYPE_DOUBLE, None),
                ("quantile", 3, REP, F.TYPE_MESSAGE, "Quantile")],
    "Untyped": [("value", 1, OPT, F.TYPE_DOUBLE, None)],
    "Bucket": [("cumulative_count", 1, OPT, F.TYPE_UINT64, None), ("upper_bound", 2, OPT, F.TYPE_DOUBLE, None),
               ("cumulative_count_float", 4, OPT, F.TYPE_DOUBLE, None)],
    "Histogram": [("sample_count", 1, OPT, F.TYPE_UINT64, None), ("sample_sum", 2, OPT, F.TYPE_DOUBLE, None),
                  ("bucket", 3, REP, F.TYPE_MESSAGE, "Bucket"),
                  ("sample_count_float", 9, OPT, F.TYPE_DOUBLE, None)],
    "Metric": [("label", 1, REP, F.TYPE_MESSAGE, "LabelPair"), ("gauge", 2, OPT, F.TYPE_MESSAGE, "Gauge"),
               ("counter", 3, OPT, F.TYPE_MESSAGE, "Counter"), ("summary", 4, OPT, F.TYPE_MESSAGE, "Summary"),
               ("untyped", 5, OPT, F.TYPE_MESSAGE, "Untyped"), ("timestamp_ms", 6, OPT, F.TYPE_INT64, None),
               ("histogram", 7, OPT, F.TYPE_MESSAGE, "Histogram")],
    "MetricFamily": [("name", 1, OPT, F.TYPE_STRING, None), ("help", 2, OPT, F.TYPE_STRING, None),
                     ("type", 3, OPT, F.TYPE_ENUM, "MetricType"),
                     ("metric", 4, REP, F.TYPE_MESSAGE, "Metric")],
}
TYPES = ["counter", "gauge", "summary", "untyped", "histogram", "gaugehistogram"]


def metric_family_class():
    fd = descriptor_pb2.FileDescriptorProto(name="nodex_test_metrics.proto", package="io.prometheus.client",
                                            syntax="proto2")
    enum = fd.enum_type.add(name="MetricType")
    for i, t in enumerate(["COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM", "GAUGE_HISTOGRAM"]):
        enum.value.add(name=t, number=i)
    for msg, fields in SCHEMA.items():
        m = fd.message_type.add(name=msg)
        for name, number, label, typ, type_name in fields:
            f = m.field.add(name=name, number=number, label=label, type=typ)
            if type_name:
                f.type_name = ".io.prometheus.client." + type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    desc = pool.FindMessageTypeByName("io.prometheus.client.MetricFamily")
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def num(v):
    return repr(float(v))


def series(name, labels, value):
    parts = []
    for k, v in labels:
        if k in ("le", "quantile"):
            v = num(v)
        parts.append('%s="%s"' % (k, v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')))
    return "%s{%s} %s" % (name, ",".join(parts), num(value))


def help_line(name, typ, text):
    return "family %s %s %s" % (name, typ, text.replace("\\", "\\\\").replace("\n", "\\n"))


def read_varint(data, pos):
    shift = value = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint at %d" % pos)
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def proto(path):
    MetricFamily = metric_family_class()
    data = open(path, "rb").read()
    pos = 0
    out = []
    while pos < len(data):
        n, pos = read_varint(data, pos)
        if pos + n > len(data):
            raise ValueError("message of %d bytes at %d runs past the end" % (n, pos))
        mf = MetricFamily()
        mf.ParseFromString(data[pos:pos + n])
        pos += n
        for field in ("name", "help", "type"):
            if not mf.HasField(field):
                raise ValueError("family without %s" % field)
        typ = TYPES[mf.type]
        out.append(help_line(mf.name, typ, mf.help))
        for m in mf.metric:
            labels = [(lp.name, lp.value) for lp in m.label]
            if typ in ("counter", "gauge", "untyped"):
                which = getattr(m, typ)
                if not m.HasField(typ) or not which.HasField("value"):
                    raise ValueError("%s: a %s series without its value" % (mf.name, typ))
                out.append(series(mf.name, labels, which.value))
            elif typ == "summary":
                s = m.summary
                for q in s.quantile:
                    out.append(series(mf.name, labels + [("quantile", q.quantile)], q.value))
                out.append(series(mf.name + "_sum", labels, s.sample_sum))
                out.append(series(mf.name + "_count", labels, s.sample_count))
            elif typ == "histogram":
                h = m.histogram
                inf = False
                for b in h.bucket:
                    out.append(series(mf.name + "_bucket", labels + [("le", b.upper_bound)], b.cumulative_count))
                    inf |= math.isinf(b.upper_bound) and b.upper_bound > 0
                if not inf:
                    out.append(series(mf.name + "_bucket", labels + [("le", math.inf)], h.sample_count))
                out.append(series(mf.name + "_sum", labels, h.sample_sum))
                out.append(series(mf.name + "_count", labels, h.sample_count))
    return out


def unescape_help(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in "\\n":
            out.append("\n" if s[i + 1] == "n" else "\\")
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def text(path):
    from prometheus_client.parser import text_string_to_metric_families

    body = open(path, encoding="utf-8").read()
    helps, types = {}, {}
    for line in body.split("\n"):
        if line.startswith("# HELP "):
            name, _, rest = line[7:].partition(" ")
            helps[name] = unescape_help(rest)
        elif line.startswith("# TYPE "):
            name, _, rest = line[7:].partition(" ")
            types[name] = rest
    out = []
    order = [name for name in types]
    samples = {name: [] for name in order}
    for fam in text_string_to_metric_families(body):
        for s in fam.samples:
            # The family a sample belongs to, by the TYPE lines: its name, or its name less a suffix.
            owner = None
            for cand in (s.name, s.name.rsplit("_", 1)[0]):
                if cand in types:
                    owner = cand
                    break
            if owner is None:
                raise ValueError("sample %s has no TYPE line" % s.name)
            # prometheus_client orders a sample's labels as written; the exposition writes them sorted
            # with le/quantile last.
            labels = sorted((k, v) for k, v in s.labels.items() if k not in ("le", "quantile"))
            labels += [(k, s.labels[k]) for k in ("quantile", "le") if k in s.labels]
            samples[owner].append(series(s.name, labels, s.value))
    for name in order:
        out.append(help_line(name, types[name], helps.get(name, "")))
        out.extend(samples[name])
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("proto", "text"):
        sys.exit(__doc__)
    lines = proto(sys.argv[2]) if sys.argv[1] == "proto" else text(sys.argv[2])
    sys.stdout.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
