"""sellerops: an Amazon seller\x27s SOPs as code.

pandas keeps its `str` columns as Python objects here, as it did before pyarrow became a dependency
(for reading reports): with pyarrow installed it would store them in Arrow, which loads a month about
a tenth slower. Setting the option on import would cost every command pandas' import (~0.5 s) even
when it needs no frame, so it is set the moment pandas is imported, wherever that happens.
"""

import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import PathFinder


def _python_strings(pandas) -> None:
    pandas.set_option("mode.string_storage", "python")


class _WhenPandasLoads(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "pandas":
            return None
        sys.meta_path.remove(self)
        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                _python_strings(module)

            spec.loader.exec_module = exec_module
        return spec


if "pandas" in sys.modules:
    _python_strings(sys.modules["pandas"])
elif not any(isinstance(f, _WhenPandasLoads) for f in sys.meta_path):
    sys.meta_path.insert(0, _WhenPandasLoads())
