"""`diagnose`: from the error message a user got to the policy that fixes it.

message.py reads the text (fixed anchors, bounded windows); diagnosis.py says what it means
(who, what, on what, why, which side); fix.py builds the fix through the same builder as
`generate` and checks it with the evaluator; reasons.py holds the facts, with their sources.
"""

from __future__ import annotations

from wizard.core.diagnose.diagnosis import DiagnoseError, Diagnosis, diagnose, summary

__all__ = ["DiagnoseError", "Diagnosis", "diagnose", "summary"]
