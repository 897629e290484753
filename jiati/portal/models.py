"""The portal has no models of its own: resident identity (one-time codes, the session) lives in `jiati.residents`."""
