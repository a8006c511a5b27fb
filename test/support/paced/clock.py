# A sound card's clock for the paced test devices (player.py, fifo.py): reads a non-blocking fd at exactly
# `rate` bytes per second, in bursts of at most 20 ms (one "device period"), and never saves up while idle.
import os, select, time


def paced_reads(fd, rate, on_idle=lambda: None, stopping=lambda: False, idle_ms=5):
    """Yields what the device plays, chunk by chunk; calls on_idle when it wants audio and none is there.
    Returns at end of input (an empty read) or when stopping() says so."""
    burst = rate // 50
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    tokens, last = 0.0, time.monotonic()
    while not stopping():
        now = time.monotonic()
        tokens = min(burst, tokens + (now - last) * rate)
        last = now
        if tokens < 2:
            time.sleep(0.002)
            continue
        if not poller.poll(idle_ms):
            on_idle()
            tokens = 0.0  # idle: a real device plays silence, it does not save up
            continue
        try:
            data = os.read(fd, int(tokens) & ~1)
        except BlockingIOError:
            continue
        if not data:
            return
        tokens -= len(data)
        yield data
