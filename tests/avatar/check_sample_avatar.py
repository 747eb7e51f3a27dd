#!/usr/bin/env python3
"""Structural check of the sample avatar (resources/avatar): the GLB container, every accessor
against its buffer view, the humanoid skin (joint names and hierarchy, inverse bind matrices that
undo the bind pose, JOINTS_0/WEIGHTS_0 on every skinned vertex with weights summing to 1), the
morph targets of the face, size and feet on the floor, and that the committed files are exactly
what resources/tools/make_sample_avatar.py generates.

Usage: check_sample_avatar.py <source dir>. Exits 1 with one line per failed check.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

COMPONENT = {5120: ("b", 1), 5121: ("B", 1), 5122: ("h", 2), 5123: ("H", 2), 5125: ("I", 4),
             5126: ("f", 4)}
WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
REQUIRED_JOINTS = ["hips", "spine", "chest", "neck", "head",
                   "leftUpperArm", "leftLowerArm", "leftHand",
                   "rightUpperArm", "rightLowerArm", "rightHand"]
# (joint, the joint it must descend from)
REQUIRED_PARENTS = [("spine", "hips"), ("chest", "spine"), ("neck", "chest"), ("head", "neck"),
                    ("leftUpperArm", "chest"), ("leftLowerArm", "leftUpperArm"),
                    ("leftHand", "leftLowerArm"), ("rightUpperArm", "chest"),
                    ("rightLowerArm", "rightUpperArm"), ("rightHand", "rightLowerArm")]
MORPH_TARGETS = ["mouthOpen", "blink"]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def read_glb(path):
    data = open(path, "rb").read()
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    check(magic == b"glTF" and version == 2, "GLB header: magic %r version %d" % (magic, version))
    check(length == len(data), "GLB header length %d, file %d bytes" % (length, len(data)))
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    check(json_type == b"JSON", "first chunk is %r, not JSON" % json_type)
    gltf = json.loads(data[20:20 + json_len].decode("utf-8"))
    offset = 20 + json_len
    bin_len, bin_type = struct.unpack_from("<I4s", data, offset)
    check(bin_type == b"BIN\0", "second chunk is %r, not BIN" % bin_type)
    check(offset + 8 + bin_len == len(data), "chunks do not end at the end of the file")
    return gltf, data[offset + 8:offset + 8 + bin_len]


def accessor_values(gltf, binary, index):
    acc = gltf["accessors"][index]
    fmt, size = COMPONENT[acc["componentType"]]
    width = WIDTH[acc["type"]]
    view = gltf["bufferViews"][acc["bufferView"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    stride = view.get("byteStride", size * width)
    end = start + stride * (acc["count"] - 1) + size * width
    check(end <= view.get("byteOffset", 0) + view["byteLength"],
          "accessor %d reads past its buffer view" % index)
    check(view.get("byteOffset", 0) + view["byteLength"] <= len(binary),
          "buffer view %d reads past the BIN chunk" % acc["bufferView"])
    check(start % size == 0, "accessor %d is not aligned" % index)
    values = [struct.unpack_from("<%d%s" % (width, fmt), binary, start + i * stride)
              for i in range(acc["count"])]
    if "min" in acc or "max" in acc:
        lo = [min(v[k] for v in values) for k in range(width)]
        hi = [max(v[k] for v in values) for k in range(width)]
        check(acc.get("min") == lo and acc.get("max") == hi,
              "accessor %d: min/max %s/%s, data %s/%s" % (index, acc.get("min"), acc.get("max"), lo, hi))
    return values


def mat_mul(a, b):  # column-major 4x4
    return [sum(a[k * 4 + r] * b[c * 4 + k] for k in range(4)) for c in range(4) for r in range(4)]


def local_matrix(node):
    if "matrix" in node:
        return list(node["matrix"])
    x, y, z, w = node.get("rotation", [0, 0, 0, 1])
    sx, sy, sz = node.get("scale", [1, 1, 1])
    tx, ty, tz = node.get("translation", [0, 0, 0])
    r = [1 - 2 * (y * y + z * z), 2 * (x * y + z * w), 2 * (x * z - y * w),
         2 * (x * y - z * w), 1 - 2 * (x * x + z * z), 2 * (y * z + x * w),
         2 * (x * z + y * w), 2 * (y * z - x * w), 1 - 2 * (x * x + y * y)]
    return [r[0] * sx, r[1] * sx, r[2] * sx, 0, r[3] * sy, r[4] * sy, r[5] * sy, 0,
            r[6] * sz, r[7] * sz, r[8] * sz, 0, tx, ty, tz, 1]


def check_package(source_dir):
    avatar_dir = os.path.join(source_dir, "resources", "avatar")
    gltf, binary = read_glb(os.path.join(avatar_dir, "sample-avatar.glb"))
    check(gltf["asset"]["version"] == "2.0", "asset.version is not 2.0")
    nodes = gltf["nodes"]
    parent = {}
    for i, n in enumerate(nodes):
        for c in n.get("children", []):
            check(c not in parent, "node %d has two parents" % c)
            parent[c] = i
    world = {}

    def world_matrix(i):
        if i not in world:
            m = local_matrix(nodes[i])
            world[i] = mat_mul(world_matrix(parent[i]), m) if i in parent else m
        return world[i]

    # The skin.
    if not check(len(gltf.get("skins", [])) == 1, "expected exactly one skin"):
        return
    skin = gltf["skins"][0]
    joints = skin["joints"]
    names = [nodes[j].get("name") for j in joints]
    by_name = {nodes[j].get("name"): j for j in joints}
    check(len(set(names)) == len(names), "joint names are not unique: %s" % names)
    for name in REQUIRED_JOINTS:
        check(name in by_name, "the skin has no joint named '%s'" % name)
    for child, ancestor in REQUIRED_PARENTS:
        if child in by_name and ancestor in by_name:
            i = by_name[child]
            while i in parent and i != by_name[ancestor]:
                i = parent[i]
            check(i == by_name[ancestor], "joint '%s' is not below '%s'" % (child, ancestor))
    ibm = accessor_values(gltf, binary, skin["inverseBindMatrices"])
    check(gltf["accessors"][skin["inverseBindMatrices"]]["type"] == "MAT4" and len(ibm) == len(joints),
          "inverseBindMatrices: one MAT4 per joint expected")
    for k, j in enumerate(joints[:len(ibm)]):
        product = mat_mul(world_matrix(j), list(ibm[k]))
        identity = [1 if r == c else 0 for c in range(4) for r in range(4)]
        check(max(abs(a - b) for a, b in zip(product, identity)) < 1e-5,
              "joint '%s': inverse bind matrix does not undo its bind pose" % names[k])
    check(skin.get("skeleton") == by_name.get("hips"), "skin.skeleton is not the hips joint")

    # The skinned meshes.
    skinned = [n for n in nodes if "mesh" in n]
    check(skinned and all(n.get("skin") == 0 for n in skinned), "every mesh node must use the skin")
    lo, hi = [1e9] * 3, [-1e9] * 3
    vertices = 0
    influenced = set()
    for n in skinned:
        mesh = gltf["meshes"][n["mesh"]]
        target_count = None
        for p, prim in enumerate(mesh["primitives"]):
            where = "mesh '%s' primitive %d" % (mesh.get("name"), p)
            attrs = prim["attributes"]
            if not check(all(a in attrs for a in ("POSITION", "NORMAL", "JOINTS_0", "WEIGHTS_0")),
                         where + ": POSITION, NORMAL, JOINTS_0 and WEIGHTS_0 expected"):
                continue
            pos = accessor_values(gltf, binary, attrs["POSITION"])
            nor = accessor_values(gltf, binary, attrs["NORMAL"])
            jnt = accessor_values(gltf, binary, attrs["JOINTS_0"])
            wgt = accessor_values(gltf, binary, attrs["WEIGHTS_0"])
            idx = accessor_values(gltf, binary, prim["indices"])
            check(len(pos) == len(nor) == len(jnt) == len(wgt),
                  where + ": attribute counts differ")
            check(gltf["accessors"][attrs["JOINTS_0"]]["type"] == "VEC4"
                  and gltf["accessors"][attrs["WEIGHTS_0"]]["type"] == "VEC4",
                  where + ": JOINTS_0/WEIGHTS_0 must be VEC4")
            check(all(i[0] < len(pos) for i in idx) and len(idx) % 3 == 0,
                  where + ": indices out of range or not triangles")
            for v, (js, ws) in enumerate(zip(jnt, wgt)):
                if not check(abs(sum(ws) - 1.0) < 1e-6 and min(ws) >= 0.0,
                             where + ": vertex %d weights %s do not sum to 1" % (v, ws)):
                    break
                if not check(all(j < len(joints) for j, w in zip(js, ws) if w > 0),
                             where + ": vertex %d names a joint outside the skin" % v):
                    break
                influenced.update(j for j, w in zip(js, ws) if w > 0)
            for k in range(3):
                lo[k] = min(lo[k], min(q[k] for q in pos))
                hi[k] = max(hi[k], max(q[k] for q in pos))
            vertices += len(pos)
            targets = prim.get("targets", [])
            if target_count is None:
                target_count = len(targets)
            check(len(targets) == target_count, where + ": primitives differ in morph target count")
            for t in targets:
                check(len(accessor_values(gltf, binary, t["POSITION"])) == len(pos),
                      where + ": a morph target's count differs from POSITION")
        if target_count:
            check(mesh.get("extras", {}).get("targetNames") == MORPH_TARGETS,
                  "mesh '%s': targetNames %s, expected %s" % (mesh.get("name"),
                                                              mesh.get("extras", {}).get("targetNames"),
                                                              MORPH_TARGETS))
            check(len(mesh.get("weights", [])) == target_count,
                  "mesh '%s': one default weight per morph target expected" % mesh.get("name"))
    check(any(gltf["meshes"][n["mesh"]].get("extras", {}).get("targetNames") == MORPH_TARGETS
              for n in skinned), "no mesh carries the morph targets %s" % MORPH_TARGETS)
    for name in REQUIRED_JOINTS:
        if name in by_name:
            check(joints.index(by_name[name]) in influenced,
                  "no vertex is weighted to the joint '%s'" % name)
    check(abs(lo[1]) < 1e-4, "the feet are not on the floor: lowest y is %f" % lo[1])
    check(1.6 <= hi[1] - lo[1] <= 1.8, "the figure is %.3f m tall, expected about 1.7" % (hi[1] - lo[1]))
    check(vertices > 1000, "only %d vertices" % vertices)
    for m in gltf["materials"]:
        check("pbrMetallicRoughness" in m, "material '%s' is not PBR" % m.get("name"))

    meta = json.load(open(os.path.join(avatar_dir, "avatar.json"), encoding="utf-8"))
    check(meta.get("name") == gltf["scenes"][0].get("name"), "avatar.json and the GLB scene names differ")
    check(meta.get("licence") == "CC0-1.0", "avatar.json licence is not CC0-1.0")


def check_deterministic(source_dir):
    script = os.path.join(source_dir, "resources", "tools", "make_sample_avatar.py")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, script, out], check=True, stdout=subprocess.DEVNULL)
        for f in ("sample-avatar.glb", "avatar.json", "LICENSE.txt"):
            committed = open(os.path.join(source_dir, "resources", "avatar", f), "rb").read()
            generated = open(os.path.join(out, f), "rb").read()
            check(committed == generated,
                  "resources/avatar/%s differs from the generator's output: run %s" % (f, script))


def main():
    source_dir = sys.argv[1]
    check_package(source_dir)
    check_deterministic(source_dir)
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print("sample avatar: skin, weights, morph targets and bounds check out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
