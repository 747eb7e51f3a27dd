// security/-internal: the avatar metadata (avatar.json's fields) to and from its Protobuf form,
// shared by the manifest and the credential that certifies it. Not installed.
#pragma once

#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/security/manifest.h"

namespace twinseal::security::detail {

inline void toProto(const AvatarMetadataInfo& m, proto::AvatarMetadata* out) {
    out->set_name(m.name);
    for (const auto& a : m.authors)
        out->add_authors(a);
    out->set_version(m.version);
    out->set_licence(m.licence);
    out->set_allowed_users(m.allowedUsers);
    out->set_violent_usage(m.violentUsage);
    out->set_sexual_usage(m.sexualUsage);
    out->set_commercial_usage(m.commercialUsage);
    out->set_contact(m.contact);
    out->set_reference(m.reference);
}

inline AvatarMetadataInfo fromProto(const proto::AvatarMetadata& meta) {
    AvatarMetadataInfo m;
    m.name = meta.name();
    m.authors.assign(meta.authors().begin(), meta.authors().end());
    m.version = meta.version();
    m.licence = meta.licence();
    m.allowedUsers = meta.allowed_users();
    m.violentUsage = meta.violent_usage();
    m.sexualUsage = meta.sexual_usage();
    m.commercialUsage = meta.commercial_usage();
    m.contact = meta.contact();
    m.reference = meta.reference();
    return m;
}

} // namespace twinseal::security::detail
