"""AWS Lambda resource types (the package is ``lambda_``: ``lambda`` is a keyword)."""
