"""Conformance packs: a template of rules deployed, reported and deleted as one.

``cfn_yaml`` reads the template text (CloudFormation's YAML short forms included),
``template`` resolves its parameters, conditions and intrinsic functions, ``deploy``
turns its resources into the rule documents PutConfigRule would store, and ``rollup``
holds the pack's compliance and score (spec 7.5, 2.7).
"""
