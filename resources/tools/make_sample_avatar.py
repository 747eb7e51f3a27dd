#!/usr/bin/env python3
"""Generates TwinSeal's sample avatar package (Python 3 standard library only).

Writes, into resources/avatar/ (or the directory given as the first argument):
  sample-avatar.glb  a small glTF 2.0 binary: a stylised humanoid about 1.7 m tall (feet at y=0,
                     facing +Z) built from capsules, spheres and boxes, with PBR materials, skinned
                     to a humanoid skeleton (VRM bone names: hips, spine, chest, neck, head,
                     left/right upper arm, lower arm, hand, upper leg, lower leg, foot) with
                     JOINTS_0/WEIGHTS_0 on every vertex, and a Face mesh with the morph targets
                     mouthOpen and blink
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


def sphere_cap(radius, limit, segments=20, rings=8):
    """The top of a sphere down to the polar angle limit(phi): a hair cap, lower at the back."""
    pos, nor = [], []
    for r in range(rings + 1):
        for s in range(segments + 1):
            phi = 2 * math.pi * s / segments
            theta = limit(phi) * r / rings
            n = (math.sin(theta) * math.cos(phi), math.cos(theta), -math.sin(theta) * math.sin(phi))
            nor.append(n)
            pos.append((radius * n[0], radius * n[1], radius * n[2]))
    idx = []
    row = segments + 1
    for r in range(rings):
        for s in range(segments):
            a = r * row + s
            b = a + row
            if r > 0:
                idx += [a, b, a + 1]
            idx += [a + 1, b, b + 1]
    return pos, nor, idx


def place(geometry, offset, scale=(1.0, 1.0, 1.0)):
    """Scales then moves a part into model space (normals by the inverse transpose)."""
    pos, nor, idx = geometry
    moved = [tuple(p[k] * scale[k] + offset[k] for k in range(3)) for p in pos]
    normals = []
    for n in nor:
        m = [n[k] / scale[k] for k in range(3)]
        length = math.sqrt(sum(c * c for c in m)) or 1.0
        normals.append(tuple(c / length for c in m))
    return moved, normals, list(idx)


# ---- skinning weights ----------------------------------------------------------------------
# A weight function maps a model-space vertex position to [(joint name, weight), ...].

def smoothstep(edge0, edge1, x):
    t = min(max((x - edge0) / (edge1 - edge0), 0.0), 1.0)
    return t * t * (3 - 2 * t)


def rigid(joint):
    return lambda p: [(joint, 1.0)]


def chain(joints, boundaries, down=False, band=0.03):
    """Joints along a vertical chain: joint k owns the vertices between boundary k-1 and k
    (heights), blended smoothly over +-band around each boundary. down: the chain runs from top
    to bottom (arms, legs) instead of bottom to top (spine)."""
    def weights(p):
        t = -p[1] if down else p[1]
        edges = [-b if down else b for b in boundaries]
        s = [smoothstep(e - band, e + band, t) for e in edges]
        w = [1.0 - s[0]] + [s[k] - s[k + 1] for k in range(len(s) - 1)] + [s[-1]]
        return [(j, x) for j, x in zip(joints, w) if x > 0.0]
    return weights


def quantised(influences):
    """At most 4 influences, weights in multiples of 1/256 summing to exactly 1 (so the float32
    sum is exact too)."""
    influences = sorted(influences, key=lambda jw: -jw[1])[:4]
    total = sum(w for _, w in influences)
    steps = [int(round(256 * w / total)) for _, w in influences]
    steps[0] += 256 - sum(steps)
    return [(j, s / 256.0) for (j, _), s in zip(influences, steps) if s > 0]


# ---- glTF assembly -------------------------------------------------------------------------

UNSIGNED_BYTE = 5121


class Builder:
    def __init__(self):
        self.bin = bytearray()
        self.buffer_views = []
        self.accessors = []
        self.meshes = []
        self.materials = []

    def _view(self, data, target=None):
        while len(self.bin) % 4:
            self.bin.append(0)
        view = {"buffer": 0, "byteOffset": len(self.bin), "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.buffer_views.append(view)
        self.bin += data
        return len(self.buffer_views) - 1

    def _accessor(self, acc):
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def vec3(self, values, with_bounds):
        data = b"".join(struct.pack("<3f", *v) for v in values)
        acc = {"bufferView": self._view(data, ARRAY_BUFFER), "componentType": FLOAT,
               "count": len(values), "type": "VEC3"}
        if with_bounds:
            # min/max of the float32 values actually stored
            stored = [struct.unpack("<3f", struct.pack("<3f", *v)) for v in values]
            acc["min"] = [min(v[k] for v in stored) for k in range(3)]
            acc["max"] = [max(v[k] for v in stored) for k in range(3)]
        return self._accessor(acc)

    def joints(self, values):
        data = b"".join(struct.pack("<4B", *v) for v in values)
        return self._accessor({"bufferView": self._view(data, ARRAY_BUFFER),
                               "componentType": UNSIGNED_BYTE, "count": len(values),
                               "type": "VEC4"})

    def weights(self, values):
        data = b"".join(struct.pack("<4f", *v) for v in values)
        return self._accessor({"bufferView": self._view(data, ARRAY_BUFFER),
                               "componentType": FLOAT, "count": len(values), "type": "VEC4"})

    def indices(self, indices):
        assert max(indices) < 65536
        data = struct.pack("<%dH" % len(indices), *indices)
        return self._accessor({"bufferView": self._view(data, ELEMENT_ARRAY_BUFFER),
                               "componentType": UNSIGNED_SHORT, "count": len(indices),
                               "type": "SCALAR", "min": [min(indices)], "max": [max(indices)]})

    def matrices(self, matrices):
        data = b"".join(struct.pack("<16f", *m) for m in matrices)
        return self._accessor({"bufferView": self._view(data), "componentType": FLOAT,
                               "count": len(matrices), "type": "MAT4"})

    def material(self, name, rgb, metallic=0.0, roughness=0.7):
        self.materials.append({"name": name, "pbrMetallicRoughness": {
            "baseColorFactor": [rgb[0], rgb[1], rgb[2], 1.0],
            "metallicFactor": metallic, "roughnessFactor": roughness}})
        return len(self.materials) - 1

    def skinned_mesh(self, name, primitives, joint_index, target_names=()):
        """primitives: [(material, [(geometry, weight function, {target: displacement fn})])].
        Every primitive gets one morph target per name in target_names (zero where a part has
        no displacement for it), as glTF requires the same targets on every primitive."""
        prims = []
        for material, parts in primitives:
            pos, nor, idx, joints, weights = [], [], [], [], []
            targets = {t: [] for t in target_names}
            for geometry, weight_fn, displacements in parts:
                p, n, i = geometry
                base = len(pos)
                pos += p
                nor += n
                idx += [base + k for k in i]
                for v in p:
                    influences = quantised(weight_fn(v))
                    influences += [(None, 0.0)] * (4 - len(influences))
                    joints.append([joint_index[j] if j else 0 for j, _ in influences])
                    weights.append([w for _, w in influences])
                    for t in target_names:
                        fn = displacements.get(t)
                        targets[t].append(fn(v) if fn else (0.0, 0.0, 0.0))
            prim = {"attributes": {"POSITION": self.vec3(pos, True), "NORMAL": self.vec3(nor, False),
                                   "JOINTS_0": self.joints(joints),
                                   "WEIGHTS_0": self.weights(weights)},
                    "indices": self.indices(idx), "material": material, "mode": TRIANGLES}
            if target_names:
                prim["targets"] = [{"POSITION": self.vec3(targets[t], True)} for t in target_names]
            prims.append(prim)
        mesh = {"name": name, "primitives": prims}
        if target_names:
            mesh["weights"] = [0.0] * len(target_names)
            mesh["extras"] = {"targetNames": list(target_names)}
        self.meshes.append(mesh)
        return len(self.meshes) - 1


# The skeleton: (joint, parent, model-space position in the bind pose). The bind pose has no
# rotations, so each joint's translation is the difference to its parent and its inverse bind
# matrix a plain translation. Names follow the VRM humanoid bones.
SKELETON = [
    ("hips", None, (0.0, 0.95, 0.0)),
    ("spine", "hips", (0.0, 1.05, 0.0)),
    ("chest", "spine", (0.0, 1.25, 0.0)),
    ("neck", "chest", (0.0, 1.46, 0.0)),
    ("head", "neck", (0.0, 1.54, 0.0)),
    ("leftUpperArm", "chest", (0.20, 1.40, 0.0)),
    ("leftLowerArm", "leftUpperArm", (0.20, 1.12, 0.0)),
    ("leftHand", "leftLowerArm", (0.20, 0.86, 0.0)),
    ("rightUpperArm", "chest", (-0.20, 1.40, 0.0)),
    ("rightLowerArm", "rightUpperArm", (-0.20, 1.12, 0.0)),
    ("rightHand", "rightLowerArm", (-0.20, 0.86, 0.0)),
    ("leftUpperLeg", "hips", (0.09, 0.90, 0.0)),
    ("leftLowerLeg", "leftUpperLeg", (0.09, 0.48, 0.0)),
    ("leftFoot", "leftLowerLeg", (0.09, 0.09, 0.0)),
    ("rightUpperLeg", "hips", (-0.09, 0.90, 0.0)),
    ("rightLowerLeg", "rightUpperLeg", (-0.09, 0.48, 0.0)),
    ("rightFoot", "rightLowerLeg", (-0.09, 0.09, 0.0)),
]

# Morph targets of the Face mesh, in this order (an animation frame's blend-shape weights by
# index): the mouth opens, the eyes close.
MORPH_TARGETS = ("mouthOpen", "blink")

HEAD_CENTRE = (0.0, 1.62, 0.01)


def head_point(x, y, z):
    return (HEAD_CENTRE[0] + x, HEAD_CENTRE[1] + y, HEAD_CENTRE[2] + z)


def body_parts():
    """(material name, geometry, weight function) of every skinned part but the face."""
    parts = [
        ("Trousers", place(capsule(0.15, 0.05, 12, 4), (0.0, 0.93, 0.0), (1.0, 1.0, 0.68)),
         rigid("hips")),
        ("Shirt", place(capsule(0.16, 0.30, 12, 4), (0.0, 1.20, 0.0), (1.0, 1.0, 0.62)),
         chain(["hips", "spine", "chest"], [0.98, 1.20], band=0.06)),
        ("Skin", place(capsule(0.05, 0.08, 10, 3), (0.0, 1.50, 0.0)),
         chain(["chest", "neck", "head"], [1.45, 1.56], band=0.02)),
        ("Skin", place(sphere(1.0, 20, 14), HEAD_CENTRE, (0.10, 0.12, 0.11)), rigid("head")),
        ("Skin", place(sphere(1.0, 10, 6), head_point(0.0, -0.01, 0.112), (0.014, 0.02, 0.018)),
         rigid("head")),
        ("Hair", place(sphere_cap(1.0, lambda phi: math.radians(85 + 30 * math.sin(phi))),
                       head_point(0.0, 0.008, -0.006), (0.108, 0.128, 0.12)), rigid("head")),
    ]
    for side, sx in (("left", 1.0), ("right", -1.0)):
        x = 0.20 * sx
        parts += [
            ("Shirt", place(capsule(0.052, 0.22, 12, 4), (x, 1.27, 0.0)),
             chain([side + "UpperArm", side + "LowerArm"], [1.12], down=True, band=0.04)),
            ("Skin", place(capsule(0.043, 0.20, 12, 4), (x, 0.99, 0.0)),
             chain([side + "LowerArm", side + "Hand"], [0.86], down=True, band=0.025)),
            ("Skin", place(sphere(1.0, 10, 6), (x, 0.79, 0.0), (0.03, 0.075, 0.045)),
             rigid(side + "Hand")),
            ("Trousers", place(capsule(0.075, 0.30, 12, 4), (0.09 * sx, 0.69, 0.0)),
             chain([side + "UpperLeg", side + "LowerLeg"], [0.48], down=True, band=0.04)),
            ("Trousers", place(capsule(0.062, 0.32, 12, 4), (0.09 * sx, 0.29, 0.0)),
             chain([side + "LowerLeg", side + "Foot"], [0.09], down=True, band=0.02)),
            ("Shoes", place(box(0.11, 0.08, 0.25), (0.09 * sx, 0.04, 0.04)), rigid(side + "Foot")),
        ]
    return parts


def face_parts():
    """(material name, geometry, {morph target: displacement}) of the face, all on the head."""
    def blink(centre):
        # The eye flattens to a closed lid line.
        return lambda p: (0.0, -0.9 * (p[1] - centre[1]), 0.0)

    def mouth_open(centre):
        # The mouth grows four times taller and drops a little.
        return lambda p: (0.0, 3.0 * (p[1] - centre[1]) - 0.008, 0.0)

    parts = []
    for sx in (1.0, -1.0):
        centre = head_point(0.038 * sx, 0.02, 0.094)
        parts.append(("Eyes", place(sphere(1.0, 10, 6), centre, (0.017, 0.017, 0.012)),
                      {"blink": blink(centre)}))
    centre = head_point(0.0, -0.05, 0.095)
    parts.append(("Mouth", place(sphere(1.0, 12, 6), centre, (0.032, 0.007, 0.012)),
                  {"mouthOpen": mouth_open(centre)}))
    return parts


def build_gltf():
    b = Builder()
    materials = {
        "Skin": b.material("Skin", (0.93, 0.72, 0.58)),
        "Shirt": b.material("Shirt", (0.05, 0.55, 0.60)),
        "Trousers": b.material("Trousers", (0.12, 0.16, 0.38)),
        "Shoes": b.material("Shoes", (0.05, 0.05, 0.06), roughness=0.4),
        "Hair": b.material("Hair", (0.20, 0.12, 0.07), roughness=0.8),
        "Eyes": b.material("Eyes", (0.03, 0.03, 0.04), roughness=0.2),
        "Mouth": b.material("Mouth", (0.55, 0.18, 0.20), roughness=0.5),
    }
    joint_index = {name: i for i, (name, _, _) in enumerate(SKELETON)}

    def grouped(parts, with_targets):
        order = []
        by_material = {}
        for entry in parts:
            material = entry[0]
            if material not in by_material:
                by_material[material] = []
                order.append(material)
            if with_targets:
                by_material[material].append((entry[1], rigid("head"), entry[2]))
            else:
                by_material[material].append((entry[1], entry[2], {}))
        return [(materials[m], by_material[m]) for m in order]

    body = b.skinned_mesh("Body", grouped(body_parts(), False), joint_index)
    face = b.skinned_mesh("Face", grouped(face_parts(), True), joint_index, MORPH_TARGETS)

    nodes = []
    world = {}
    for name, parent, position in SKELETON:
        world[name] = position
        base = world[parent] if parent else (0.0, 0.0, 0.0)
        nodes.append({"name": name,
                      "translation": [round(position[k] - base[k], 4) for k in range(3)]})
    for i, (name, parent, _) in enumerate(SKELETON):
        if parent:
            nodes[joint_index[parent]].setdefault("children", []).append(i)
    inverse_binds = []
    for name, _, position in SKELETON:
        # column-major 4x4: identity with the translation -position
        inverse_binds.append([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0,
                              -position[0], -position[1], -position[2], 1])
    skin = {"name": "Humanoid", "skeleton": joint_index["hips"],
            "joints": list(range(len(SKELETON))), "inverseBindMatrices": b.matrices(inverse_binds)}
    # Skinned meshes sit next to the skeleton: glTF ignores their own node transform.
    nodes.append({"name": "Body", "mesh": body, "skin": 0})
    nodes.append({"name": "Face", "mesh": face, "skin": 0})
    nodes.append({"name": "TwinSealSampleAvatar",
                  "children": [joint_index["hips"], len(nodes) - 2, len(nodes) - 1]})
    root = len(nodes) - 1

    while len(b.bin) % 4:
        b.bin.append(0)
    gltf = {
        "asset": {"version": "2.0", "generator": GENERATOR,
                  "copyright": "CC0-1.0: dedicated to the public domain by the TwinSeal authors"},
        "scene": 0,
        "scenes": [{"name": NAME, "nodes": [root]}],
        "nodes": nodes,
        "skins": [skin],
        "meshes": b.meshes,
        "materials": list(b.materials),
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
