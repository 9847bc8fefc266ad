"""Cell parsers and the CSV reader shared by the loaders."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kubekit.traces import TraceError
from kubekit.traces._parse import exact_units, parse_decimal, parse_int, read_csv


@pytest.mark.parametrize("text, expected", [("0", 0), ("8000", 8000), ("+5", 5), ("007", 7)])
def test_parse_int_accepts(text, expected):
    assert parse_int(text, unit="millicores") == expected


@pytest.mark.parametrize("text, fragment", [
    ("", "expected an integer >= 0 in millicores, got ''"),
    ("8000m", "the value carries its own unit 'm'; this column holds plain numbers in millicores"),
    ("1.5", "got '1.5'"),
    ("1_000", "got '1_000'"),
    (" 12", "got ' 12'"),
    ("1e3", "got '1e3'"),
    ("-1", "expected an integer >= 0 in millicores, got '-1'"),
    ("٣", "got '٣'"),                  # a non-ASCII digit
])
def test_parse_int_refuses(text, fragment):
    with pytest.raises(ValueError) as err:
        parse_int(text, unit="millicores")
    assert fragment in str(err.value)


def test_parse_int_signed_when_no_minimum():
    assert parse_int("-1078", unit="seconds", minimum=None) == -1078


@pytest.mark.parametrize("text, expected", [
    ("0.6900059534594777", Fraction(6900059534594777, 10**16)),
    ("1", Fraction(1)), ("0.5", Fraction(1, 2)), (".25", Fraction(1, 4)), ("1e-3", Fraction(1, 1000)),
    ("100", Fraction(100)),
])
def test_parse_decimal_is_exact(text, expected):
    assert parse_decimal(text, unit="x") == expected


@pytest.mark.parametrize("text, kw, fragment", [
    ("1.75GB", {}, "carries its own unit 'GB'"),
    ("nan", {}, "expected a decimal number"),
    ("1/3", {}, "expected a decimal number"),
    ("1.5", {"maximum": 1}, "expected a number <= 1"),
    ("-0.1", {}, "expected a number >= 0"),
])
def test_parse_decimal_refuses(text, kw, fragment):
    with pytest.raises(ValueError) as err:
        parse_decimal(text, unit="GiB", **kw)
    assert fragment in str(err.value)


def test_exact_units():
    assert exact_units(Fraction("0.75"), 2**30, what="0.75 GiB") == 805_306_368
    assert exact_units(Fraction("1.75"), 2**30, what="1.75 GiB") == 1_879_048_192
    with pytest.raises(ValueError, match="0.3 GiB is not a whole number"):
        exact_units(Fraction("0.3"), 2**30, what="0.3 GiB")


def _write(tmp_path, text, name="t.csv", mode="w"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_read_csv_header_any_order_extra_columns_blank_lines(tmp_path):
    p = _write(tmp_path, "b,extra,a\n1,x,2\n\n3,y,4\n")
    t = read_csv(p, schema=("a", "b"))
    assert t.header and [r.line for r in t.rows] == [2, 4]
    assert [t.cell(r, "a") for r in t.rows] == ["2", "4"]


def test_read_csv_bom_crlf_and_quotes(tmp_path):
    p = _write(tmp_path, b'\xef\xbb\xbfa,b\r\n"1,5",2\r\n')
    t = read_csv(p, schema=("a", "b"))
    assert t.cell(t.rows[0], "a") == "1,5" and t.rows[0].line == 2


def test_read_csv_headerless(tmp_path):
    p = _write(tmp_path, "1,2\n3,4\n")
    t = read_csv(p, schema=("a", "b"), headerless=True)
    assert not t.header and t.cell(t.rows[1], "b") == "4" and t.rows[1].line == 2
    with pytest.raises(TraceError) as err:
        read_csv(p, schema=("a", "b"))
    assert err.value.line == 1 and "expected a header row naming the columns a,b" in str(err.value)


@pytest.mark.parametrize("text, line, fragment", [
    ("a,c\n1,2\n", 1, "missing column(s) b: expected a header with a,b, got a,c"),
    ("a,b,a\n", 1, "duplicate column(s) a"),
    ("a,b\n1,2\n1,2,3\n", 3, "expected 2 comma-separated fields (a,b), got 3"),
    ("a,b\n1\n", 2, "expected 2 comma-separated fields"),
    ("", None, "the file is empty"),
])
def test_read_csv_errors(tmp_path, text, line, fragment):
    p = _write(tmp_path, text)
    with pytest.raises(TraceError) as err:
        read_csv(p, schema=("a", "b"))
    assert err.value.line == line and fragment in str(err.value) and err.value.path == str(p)


def test_read_csv_missing_file_and_binary(tmp_path):
    with pytest.raises(TraceError, match="no such file"):
        read_csv(tmp_path / "nope.csv", schema=("a",))
    p = _write(tmp_path, b"a,b\n1,2\n\xff\xfe,3\n")
    with pytest.raises(TraceError) as err:
        read_csv(p, schema=("a", "b"))
    assert err.value.line == 3 and "not UTF-8" in str(err.value)
