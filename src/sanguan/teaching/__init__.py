"""The process gate's teaching side: training programmes, offerings, face-to-face and live
sessions, evaluations."""
