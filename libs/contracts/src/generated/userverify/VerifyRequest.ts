// Original file: proto/userverify.proto


export interface VerifyRequest {
  'id'?: (number);
  'token'?: (string);
}

export interface VerifyRequest__Output {
  'id': (number);
  'token': (string);
}
