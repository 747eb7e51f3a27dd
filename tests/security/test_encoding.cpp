// Byte encodings and atomic file writes.
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <twinseal/security/bytes.h>

#include "testmain.h"

namespace {
namespace test_encoding {

using namespace twinseal::security;

class EncodingTest : public QObject {
    Q_OBJECT
private slots:
    void base64UrlRfc4648() {
        // RFC 4648 section 10 vectors, in the URL-safe alphabet without padding.
        const std::pair<const char*, const char*> vectors[] = {
            {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
            {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
        for (auto [plain, enc] : vectors) {
            QCOMPARE(QString::fromStdString(base64UrlEncode(view(plain))), QString(enc));
            auto dec = base64UrlDecode(enc);
            QVERIFY(dec.ok());
            QCOMPARE(toString(*dec), std::string(plain));
        }
        // URL-safe alphabet: 0xfb 0xff -> "-_8"
        const Bytes b{0xfb, 0xff};
        QCOMPARE(QString::fromStdString(base64UrlEncode(b)), QString("-_8"));
    }
    void base64UrlRejects() {
        for (const char* bad : {"Zg==", "Zm9v+", "Zm9v/", "Zh", "a", "Zm 9v", "Zm9v\n"}) {
            auto r = base64UrlDecode(bad);
            QVERIFY2(!r.ok(), bad);
            QCOMPARE(r.code(), ErrorCode::MalformedInput);
        }
    }
    void hex() {
        const Bytes b{0x00, 0x01, 0xab, 0xff};
        QCOMPARE(QString::fromStdString(toHex(b)), QString("0001abff"));
        QCOMPARE(*fromHex("0001ABff"), b);
        QCOMPARE(fromHex("abc").code(), ErrorCode::MalformedInput);
        QCOMPARE(fromHex("zz").code(), ErrorCode::MalformedInput);
    }
    void constantTime() {
        const Bytes a{1, 2, 3}, b{1, 2, 3}, c{1, 2, 4}, d{1, 2};
        QVERIFY(constantTimeEqual(a, b));
        QVERIFY(!constantTimeEqual(a, c));
        QVERIFY(!constantTimeEqual(a, d));
    }
    void atomicWrite() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("f.bin").toStdString();
        QVERIFY(writeFileAtomic(path, view("first")).ok());
        QVERIFY(writeFileAtomic(path, view("second"), true).ok());
        QCOMPARE(toString(*readFile(path)), std::string("second"));
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        // No temporary files are left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
        auto missing = readFile(dir.filePath("nope").toStdString());
        QCOMPARE(missing.code(), ErrorCode::IoError);
        auto unwritable = writeFileAtomic(dir.filePath("no/such/dir/f").toStdString(), view("x"));
        QCOMPARE(unwritable.code(), ErrorCode::IoError);
    }
    void errorNames() {
        QCOMPARE(QString::fromUtf8(errorCodeName(ErrorCode::WrongPassphrase).data()),
                 QString("wrong-passphrase"));
        Error e{ErrorCode::AssertionStale, "too old"};
        QCOMPARE(QString::fromStdString(e.message()), QString("assertion-stale: too old"));
    }
};

TWINSEAL_TEST(EncodingTest, "encoding")
} // namespace test_encoding
} // namespace

#include "test_encoding.moc"
