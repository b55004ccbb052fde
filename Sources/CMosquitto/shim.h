// libmosquitto's C API (the MQTT client behind the mqtt event sink and `clipstream deliver`).
#include <mosquitto.h>
