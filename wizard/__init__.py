"""ecr-policy-wizard: least-privilege IAM policies for Amazon ECR, explained."""

__version__ = "0.1.0"
