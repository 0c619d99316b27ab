from common import *
Xtr,ytr,Xte,yte=load(); N=int(sys.argv[1]) if len(sys.argv)>1 else 20000
rng=np.random.default_rng(0); sub=rng.choice(60000,N,replace=False) if N<60000 else np.arange(60000)
A=Xtr[sub].astype(np.float32)/255; B=Xte.astype(np.float32)/255
for lam in [1e-3,1e-4]:
    print('raw std lam',lam, fastlr(*scalef(A,B,'std')[:1],ytr[sub],scalef(A,B,'std')[1],yte,lam),flush=True)
p=Prep('pcaw',r=100,eps=0).fit(A)
for lam in [1e-3,1e-4]:
    a,b=scalef(p(A),p(B)); print('pca100 std lam',lam, fastlr(a,ytr[sub],b,yte,lam),flush=True)
