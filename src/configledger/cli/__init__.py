"""The ``configledger`` command line."""
