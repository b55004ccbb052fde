import Testing
@Test func placeholderTensorTests() {}
