import QtQuick
import QtQuick.Controls.impl
import QtQuick3D
import QtQuick3D.AssetUtils

// A 3D preview of an avatar model (glTF 2.0 / GLB), turning slowly. With the software renderer
// (no GPU, e.g. some test environments) it shows the file name instead of a blank view.
Rectangle {
    id: preview
    property url source
    property string caption: ""
    color: Theme.dark ? "#0f1216" : "#e9edf2"
    radius: Theme.radius
    Accessible.role: Accessible.Graphic
    Accessible.name: qsTr("3D preview of the avatar %1").arg(caption)

    readonly property bool hardware: GraphicsInfo.api !== GraphicsInfo.Software
                                     && GraphicsInfo.api !== GraphicsInfo.Unknown

    // The scene binds to the preview's properties. Loader gives it a context of its own (Qt 6.4),
    // so the component cannot be "Bound", and qmllint cannot see those names from inside it.
    // qmllint disable unqualified
    Loader {
        anchors.fill: parent
        active: preview.hardware && String(preview.source).length > 0
        sourceComponent: View3D {
            environment: SceneEnvironment {
                clearColor: preview.color
                backgroundMode: SceneEnvironment.Color
                antialiasingMode: SceneEnvironment.MSAA
            }
            PerspectiveCamera {
                position: Qt.vector3d(0, 0.9, 3.2)
                eulerRotation.x: -8
                clipNear: 0.01
            }
            DirectionalLight { eulerRotation.x: -35; eulerRotation.y: -30; brightness: 1.4 }
            DirectionalLight { eulerRotation.x: 20; eulerRotation.y: 150; brightness: 0.5 }
            Node {
                id: turntable
                NumberAnimation on eulerRotation.y {
                    from: 0; to: 360; duration: 24000; loops: Animation.Infinite
                }
                RuntimeLoader {
                    id: loader
                    source: preview.source
                    onStatusChanged: if (status === RuntimeLoader.Error) console.info("avatar preview:", errorString)
                    // Normalise to about 1.8 units tall, feet on the floor. (Qt 6.4's QtQuick3D
                    // type information lacks the bounds' type, so qmllint cannot check these.)
                    // qmllint disable type
                    readonly property real extent: Math.max(bounds.maximum.y - bounds.minimum.y, 0.001)
                    scale: Qt.vector3d(1.8 / extent, 1.8 / extent, 1.8 / extent)
                    position: Qt.vector3d(-(bounds.minimum.x + bounds.maximum.x) / 2 * 1.8 / extent,
                                          -bounds.minimum.y * 1.8 / extent,
                                          -(bounds.minimum.z + bounds.maximum.z) / 2 * 1.8 / extent)
                    // qmllint enable type
                }
            }
        }
    }
    // qmllint enable unqualified
    IconImage {
        visible: !preview.hardware || String(preview.source).length === 0
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: placeholder.top
        anchors.bottomMargin: Theme.padding
        source: Theme.icon("twin")
        sourceSize.width: 72
        sourceSize.height: 72
        color: Theme.border
        Accessible.ignored: true
    }
    Text {
        id: placeholder
        visible: !preview.hardware || String(preview.source).length === 0
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.padding
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WrapAtWordBoundaryOrAnywhere // the caption is a long ID without spaces
        color: Theme.mutedText
        font.pixelSize: Theme.fontSize
        text: String(preview.source).length === 0 ? qsTr("No avatar chosen yet")
                                                     : qsTr("3D preview needs a GPU renderer\n%1").arg(preview.caption)
    }
    Text {
        visible: preview.caption.length > 0 && preview.hardware
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottomMargin: Theme.spacing
        width: parent.width - 2 * Theme.spacing
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WrapAnywhere // the whole ID, not an elided one
        text: preview.caption
        color: Theme.mutedText
        font.pixelSize: Theme.smallSize
    }
}
