"""pandas keeps `str` columns as Python objects wherever it is imported from (sellerops/__init__.py),
though pyarrow is installed, and importing sellerops does not import pandas."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
{first}
assert ("pandas" in sys.modules) == {pandas_first!r}, "importing sellerops imported pandas"
{second}
import pandas as pd
print(pd.Series(["a"]).dtype.storage, pd.array(["a"], dtype="string").dtype.storage)
"""


@pytest.mark.parametrize("first, second, pandas_first", [
    ("import sellerops", "", False),             # the usual order: the domain, then pandas inside it
    ("import pandas", "import sellerops", True),  # pandas first (a library imported it before us)
])
def test_pandas_strings_are_python_objects_whatever_imports_pandas(first, second, pandas_first):
    import pyarrow  # noqa: F401 - installed: without the option pandas would store strings in Arrow

    code = CHECK.format(first=first, second=second, pandas_first=pandas_first)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["python", "python"]
