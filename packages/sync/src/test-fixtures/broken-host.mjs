// A request host that fails while loading: the caller must get the reason, not a hang.
throw new Error('host failed to load')
