// libmosquitto must be initialised once per process before any client is made.
import CMosquitto

enum MQTTLibrary {
    private static let initialized: Bool = { mosquitto_lib_init() == Int32(MOSQ_ERR_SUCCESS.rawValue) }()

    static func initialize() { _ = initialized }
}
