"""A UserVerify client generated from the original demo's .proto by protoc + grpc_python_plugin
(Debian packages), independent of the Node toolchain. Prints one JSON object per request.

usage: userverify_client.py <stubs-dir> <host:port> <id> <token> [<id> <token> ...]
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import userverify_pb2  # noqa: E402
import userverify_pb2_grpc  # noqa: E402

with grpc.insecure_channel(sys.argv[2]) as channel:
    stub = userverify_pb2_grpc.UserVerifyStub(channel)
    pairs = sys.argv[3:]
    for i in range(0, len(pairs), 2):
        request = userverify_pb2.VerifyRequest(id=int(pairs[i]), token=pairs[i + 1])
        try:
            reply = stub.VerifyUser(request, timeout=5)
            print(json.dumps({"message": reply.message}))
        except grpc.RpcError as err:
            print(json.dumps({"code": err.code().name, "details": err.details()}))
