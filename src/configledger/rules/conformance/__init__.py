"""Conformance packs: a template of rules deployed, reported and deleted as one.

``cfn_yaml`` reads the template text (CloudFormation's YAML short forms included),
``template`` resolves its parameters, conditions and intrinsic functions (``stack``
names what the pack's stack resolves them with), ``deploy`` turns its resources into the
rule documents PutConfigRule would store, ``apply`` writes and removes them,
``archive`` stores the template in the delivery bucket, ``deployment`` carries out the
pack requests in the background (the state machine of spec 9.1), and ``rollup`` holds
the pack's compliance and score (spec 7.5, 2.7).
"""
