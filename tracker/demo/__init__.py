"""The demo partnership: Coventry's area SEND inspection and the SPOT service survey."""
