# Draws the bundled security images (resources/security-images/*.png): python3 make_security_images.py from that folder.
import zlib, struct, math
def png(name, w, h, px):
    raw = b''.join(b'\x00' + bytes(sum((px(x, y) for x in range(w)), ())) for y in range(h))
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(name, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
S = 96
def harbour(x, y):  # blue waves
    v = math.sin(x / 6.0 + 2 * math.sin(y / 9.0))
    return (20, int(90 + 60 * v), int(190 + 50 * v)) if (y // 8) % 2 == 0 else (240, 245, 250) if v > 0.6 else (30, 70, 150)
def meadow(x, y):  # green diamonds
    d = (abs((x % 24) - 12) + abs((y % 24) - 12))
    return (40, 150, 60) if d < 8 else (230, 220, 90) if d < 11 else (20, 80, 40)
def ember(x, y):  # orange rings
    r = math.hypot(x - S / 2, y - S / 2)
    return (250, 140, 20) if int(r / 6) % 2 == 0 else (120, 30, 10)
def orchid(x, y):  # purple checks with a dot
    c = ((x // 12) + (y // 12)) % 2
    dot = math.hypot((x % 12) - 6, (y % 12) - 6) < 3
    return (255, 255, 255) if dot else (130, 50, 170) if c else (220, 180, 240)
for n, f in [('harbour', harbour), ('meadow', meadow), ('ember', ember), ('orchid', orchid)]:
    png(n + '.png', S, S, f)
