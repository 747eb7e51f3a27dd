#!/usr/bin/env python3
"""Generates TwinSeal's sample avatar package (Python 3 standard library only).

Writes, into resources/avatar/ (or the directory given as the first argument):
  sample-avatar.glb  a small glTF 2.0 binary: a stylised humanoid built from boxes, capsules and
                     spheres, with four coloured PBR materials and a humanoid node hierarchy
  avatar.json        VRM-meta-like metadata read by the avatar media manifest
  LICENSE.txt        the CC0 1.0 dedication of everything above

The output is deterministic: running the script twice gives byte-identical files, so the
committed package and its manifest roots only change when this script does.
"""

import json
import math
import os
import struct
import sys

NAME = "TwinSeal Sample Avatar"
GENERATOR = "TwinSeal resources/tools/make_sample_avatar.py"

# glTF constants
FLOAT = 5126
UNSIGNED_SHORT = 5123
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
TRIANGLES = 4


# ---- geometry ------------------------------------------------------------------------------
# Every generator returns (positions, normals, indices) with counter-clockwise front faces.

def box(sx, sy, sz):
    hx, hy, hz = sx / 2, sy / 2, sz / 2
    faces = [  # normal, u axis, v axis (u x v == normal)
        ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
        ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
        ((0, 1, 0), (1, 0, 0), (0, 0, -1)),
        ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
        ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
        ((0, 0, -1), (-1, 0, 0), (0, 1, 0)),
    ]
    pos, nor, idx = [], [], []
    for n, u, v in faces:
        base = len(pos)
        for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            p = [n[k] + su * u[k] + sv * v[k] for k in range(3)]
            pos.append((p[0] * hx, p[1] * hy, p[2] * hz))
            nor.append(n)
        idx += [base, base + 1, base + 2, base, base + 2, base + 3]
    return pos, nor, idx


def capsule(radius, length, segments=16, cap_rings=5):
    """A capsule along Y, centred at the origin; `length` is the cylinder part."""
    rings = []  # (y offset of the ring centre, polar angle from +Y)
    for i in range(cap_rings + 1):
        rings.append((length / 2, (math.pi / 2) * i / cap_rings))
    for i in range(cap_rings + 1):
        rings.append((-length / 2, math.pi / 2 + (math.pi / 2) * i / cap_rings))
    pos, nor = [], []
    for yc, theta in rings:
        for s in range(segments + 1):
            phi = 2 * math.pi * s / segments
            n = (math.sin(theta) * math.cos(phi), math.cos(theta), -math.sin(theta) * math.sin(phi))
            nor.append(n)
            pos.append((radius * n[0], yc + radius * n[1], radius * n[2]))
    idx = []
    row = segments + 1
    last = len(rings) - 2
    for r in range(len(rings) - 1):
        for s in range(segments):
            a = r * row + s
            b = a + row
            if r > 0:                   # no degenerate triangles at the poles
                idx += [a, b, a + 1]
            if r < last:
                idx += [a + 1, b, b + 1]
    return pos, nor, idx


def sphere(radius, segments=24, rings=16):
    pos, nor = [], []
    for r in range(rings + 1):
        theta = math.pi * r / rings
        for s in range(segments + 1):
            phi = 2 * math.pi * s / segments
            n = (math.sin(theta) * math.cos(phi), math.cos(theta), -math.sin(theta) * math.sin(phi))
            nor.append(n)
            pos.append((radius * n[0], radius * n[1], radius * n[2]))
    idx = []
    row = segments + 1
    last = rings - 1
    for r in range(rings):
        for s in range(segments):
            a = r * row + s
            b = a + row
            if r > 0:                   # no degenerate triangles at the poles
                idx += [a, b, a + 1]
            if r < last:
                idx += [a + 1, b, b + 1]
    return pos, nor, idx


# ---- glTF assembly -------------------------------------------------------------------------

class Builder:
    def __init__(self):
        self.bin = bytearray()
        self.buffer_views = []
        self.accessors = []
        self.meshes = []
        self.materials = []

    def _view(self, data, target):
        while len(self.bin) % 4:
            self.bin.append(0)
        self.buffer_views.append({"buffer": 0, "byteOffset": len(self.bin),
                                  "byteLength": len(data), "target": target})
        self.bin += data
        return len(self.buffer_views) - 1

    def _vec3_accessor(self, values, with_bounds):
        data = b"".join(struct.pack("<3f", *v) for v in values)
        acc = {"bufferView": self._view(data, ARRAY_BUFFER), "componentType": FLOAT,
               "count": len(values), "type": "VEC3"}
        if with_bounds:
            # min/max of the float32 values actually stored
            stored = [struct.unpack("<3f", struct.pack("<3f", *v)) for v in values]
            acc["min"] = [min(v[k] for v in stored) for k in range(3)]
            acc["max"] = [max(v[k] for v in stored) for k in range(3)]
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def _index_accessor(self, indices):
        assert max(indices) < 65536
        data = struct.pack("<%dH" % len(indices), *indices)
        self.accessors.append({"bufferView": self._view(data, ELEMENT_ARRAY_BUFFER),
                               "componentType": UNSIGNED_SHORT, "count": len(indices),
                               "type": "SCALAR", "min": [min(indices)], "max": [max(indices)]})
        return len(self.accessors) - 1

    def material(self, name, rgb, metallic=0.0, roughness=0.7):
        self.materials.append({"name": name, "pbrMetallicRoughness": {
            "baseColorFactor": [rgb[0], rgb[1], rgb[2], 1.0],
            "metallicFactor": metallic, "roughnessFactor": roughness}})
        return len(self.materials) - 1

    def mesh(self, name, geometry, material):
        pos, nor, idx = geometry
        prim = {"attributes": {"POSITION": self._vec3_accessor(pos, True),
                               "NORMAL": self._vec3_accessor(nor, False)},
                "indices": self._index_accessor(idx), "material": material, "mode": TRIANGLES}
        self.meshes.append({"name": name, "primitives": [prim]})
        return len(self.meshes) - 1


def build_gltf():
    b = Builder()
    skin = b.material("Skin", (0.93, 0.72, 0.58))
    shirt = b.material("Shirt", (0.05, 0.55, 0.60))
    trousers = b.material("Trousers", (0.12, 0.16, 0.38))
    dark = b.material("Eyes and shoes", (0.05, 0.05, 0.06), roughness=0.4)

    torso = b.mesh("Torso", box(0.36, 0.50, 0.20), shirt)
    pelvis = b.mesh("Pelvis", box(0.34, 0.16, 0.20), trousers)
    head = b.mesh("Head", sphere(0.12), skin)
    neck = b.mesh("Neck", capsule(0.045, 0.04, segments=12, cap_rings=3), skin)
    upper_arm = b.mesh("UpperArm", capsule(0.05, 0.22), shirt)
    lower_arm = b.mesh("LowerArm", capsule(0.042, 0.22), skin)
    leg = b.mesh("Leg", capsule(0.07, 0.36), trousers)
    shin = b.mesh("Shin", capsule(0.06, 0.34), trousers)
    eye = b.mesh("Eye", sphere(0.018, segments=12, rings=8), dark)
    shoe = b.mesh("Shoe", box(0.11, 0.07, 0.24), dark)

    nodes = []

    def node(name, translation, mesh=None, children=()):
        n = {"name": name, "translation": [round(t, 4) for t in translation]}
        if mesh is not None:
            n["mesh"] = mesh
        if children:
            n["children"] = list(children)
        nodes.append(n)
        return len(nodes) - 1

    # Humanoid hierarchy (VRM-like bone names); translations are relative to the parent.
    l_eye = node("leftEye", (0.042, 0.02, 0.105), eye)
    r_eye = node("rightEye", (-0.042, 0.02, 0.105), eye)
    head_n = node("head", (0.0, 0.16, 0.0), head, (l_eye, r_eye))
    neck_n = node("neck", (0.0, 0.29, 0.0), neck, (head_n,))
    arms = []
    for side, sx in (("left", 1.0), ("right", -1.0)):
        hand = node(side + "LowerArm", (0.0, -0.32, 0.0), lower_arm)
        arms.append(node(side + "UpperArm", (sx * 0.24, 0.10, 0.0), upper_arm, (hand,)))
    chest = node("chest", (0.0, 0.33, 0.0), torso, (neck_n, *arms))
    legs = []
    for side, sx in (("left", 1.0), ("right", -1.0)):
        foot = node(side + "Foot", (0.0, -0.28, 0.05), shoe)
        lower = node(side + "LowerLeg", (0.0, -0.46, 0.0), shin, (foot,))
        legs.append(node(side + "UpperLeg", (sx * 0.09, -0.30, 0.0), leg, (lower,)))
    hips = node("hips", (0.0, 1.0, 0.0), pelvis, (chest, *legs))
    root = node("TwinSealSampleAvatar", (0.0, 0.0, 0.0), None, (hips,))

    while len(b.bin) % 4:
        b.bin.append(0)
    gltf = {
        "asset": {"version": "2.0", "generator": GENERATOR,
                  "copyright": "CC0-1.0: dedicated to the public domain by the TwinSeal authors"},
        "scene": 0,
        "scenes": [{"name": NAME, "nodes": [root]}],
        "nodes": nodes,
        "meshes": b.meshes,
        "materials": b.materials,
        "accessors": b.accessors,
        "bufferViews": b.buffer_views,
        "buffers": [{"byteLength": len(b.bin)}],
    }
    return gltf, bytes(b.bin)


def glb(gltf, binary):
    json_bytes = json.dumps(gltf, separators=(",", ":")).encode("utf-8")
    json_bytes += b" " * (-len(json_bytes) % 4)  # JSON chunk padding: spaces
    binary += b"\0" * (-len(binary) % 4)          # BIN chunk padding: zeros
    total = 12 + 8 + len(json_bytes) + 8 + len(binary)
    out = struct.pack("<4sII", b"glTF", 2, total)
    out += struct.pack("<I4s", len(json_bytes), b"JSON") + json_bytes
    out += struct.pack("<I4s", len(binary), b"BIN\0") + binary
    assert len(out) == total and total % 4 == 0
    return out


METADATA = {
    "name": NAME,
    "authors": ["The TwinSeal authors"],
    "version": "1.0",
    "licence": "CC0-1.0",
    "allowedUsers": "everyone",
    "violentUsage": False,
    "sexualUsage": False,
    "commercialUsage": True,
    "contact": "https://github.com/twinseal/twinseal",
    "reference": "Generated by resources/tools/make_sample_avatar.py",
}

LICENSE = """TwinSeal Sample Avatar -- CC0 1.0 Universal

Files: sample-avatar.glb, avatar.json, LICENSE.txt
Generated by: resources/tools/make_sample_avatar.py (part of TwinSeal)

To the extent possible under law, the TwinSeal authors have waived all copyright and related
or neighboring rights to the TwinSeal Sample Avatar. The model was generated procedurally by
the script named above; it contains no third-party material.

You can copy, modify, distribute and use the work, even for commercial purposes, all without
asking permission.

SPDX-License-Identifier: CC0-1.0
Legal code: https://creativecommons.org/publicdomain/zero/1.0/legalcode
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "avatar")
    os.makedirs(out_dir, exist_ok=True)
    data = glb(*build_gltf())
    with open(os.path.join(out_dir, "sample-avatar.glb"), "wb") as f:
        f.write(data)
    with open(os.path.join(out_dir, "avatar.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(METADATA, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "LICENSE.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(LICENSE)
    print("wrote %s (%d bytes), avatar.json, LICENSE.txt" % (
        os.path.join(out_dir, "sample-avatar.glb"), len(data)))


if __name__ == "__main__":
    main()
