"""ecgbeat: heartbeat classification from ECG with honest, inter-patient evaluation."""
