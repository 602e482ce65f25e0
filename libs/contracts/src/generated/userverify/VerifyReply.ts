// Original file: proto/userverify.proto


export interface VerifyReply {
  'message'?: (string);
}

export interface VerifyReply__Output {
  'message': (string);
}
