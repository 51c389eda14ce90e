"""ConfigLedger: a self-hosted AWS Config that speaks AWS Config's own wire API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("configledger")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
